/* Placeholder until the environment and non-timing comparisons land. */
#include "analysis/compare_parts.h"

int compare_env(const char *const *runs, unsigned nruns, FILE *text, FILE *html,
                bool *classes_differ)
{
    (void)runs, (void)nruns, (void)html;
    *classes_differ = false;
    if (text)
        fputs("environment: not compared yet\n", text);
    return 0;
}

int compare_nontiming(const char *const *runs, unsigned nruns, unsigned baseline,
                      const char *out_dir, FILE *text, FILE *html)
{
    (void)runs, (void)nruns, (void)baseline, (void)out_dir, (void)html;
    if (text)
        fputs("verification, precision, conformance, flags, decision map: not compared yet\n",
              text);
    return 0;
}
