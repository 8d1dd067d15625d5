/*
 * The report page's frame (see report.h): the doctype, an inline style
 * sheet (no external CSS or JS: the page opens without a network), and at
 * the end the self-check that a reader and the test both rely on.
 */
#include "analysis/report.h"

void report_page_start(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"generator\" content=\"hvflush report\">\n<title>", out);
    report_put_text(out, title);
    fputs("</title>\n<style>\n"
          "body{font-family:'DejaVu Sans',sans-serif;margin:1.5em;color:#111;background:#fff;"
          "max-width:1400px}\n"
          "h1{font-size:1.6em}h2{border-bottom:2px solid #345;margin-top:2em}h3{margin-top:1.5em}\n"
          "table{border-collapse:collapse;font-size:12px;margin:.5em 0}\n"
          "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}\n"
          "th{background:#e8edf3}tr:nth-child(even) td{background:#f7f7f7}\n"
          ".v-pass,.v-ok,.v-match,.v-decisive,.v-SUCCESS{color:#064;font-weight:bold}\n"
          ".v-fail,.v-error,.v-mismatch,.v-regression,.v-slower{color:#b00;font-weight:bold}\n"
          ".v-inconclusive,.v-ci-wide,.v-within-noise,.v-faster{color:#a60}\n"
          ".v-unsupported{color:#777}\n"
          ".warnings li{margin:.3em 0}.warnings .kind{font-family:monospace;font-weight:bold;"
          "color:#b00}\n"
          ".warnings-none{color:#064}\n"
          "figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ccc}\n"
          "figcaption{font-size:12px;color:#444}\n"
          ".note{color:#555;font-style:italic}\n"
          ".compare-failed{color:#b00;font-weight:bold}\n"
          "#report-check{font-size:11px;color:#777}\n"
          "</style>\n</head>\n<body data-report-check=\"pending\">\n", out);
}

void report_page_end(FILE *out)
{
    fputs("<p id=\"report-check\">page check: pending</p>\n"
          "<script>\n"
          "/* On load: every image complete with a natural width, every inline\n"
          "   <svg> with content; the outcome goes into <body data-report-check>\n"
          "   (\"ok\" or \"broken:N\") and, when broken, onto the console. */\n"
          "window.addEventListener('load', function () {\n"
          "  var bad = [], imgs = document.images, svgs = document.querySelectorAll('svg');\n"
          "  for (var i = 0; i < imgs.length; i++)\n"
          "    if (!imgs[i].complete || imgs[i].naturalWidth === 0)\n"
          "      bad.push(imgs[i].getAttribute('alt') || ('image ' + i));\n"
          "  for (var j = 0; j < svgs.length; j++)\n"
          "    if (svgs[j].childElementCount === 0)\n"
          "      bad.push('inline svg ' + j);\n"
          "  var verdict = bad.length ? 'broken:' + bad.length : 'ok';\n"
          "  document.body.setAttribute('data-report-check', verdict);\n"
          "  document.body.setAttribute('data-report-images', String(imgs.length + svgs.length));\n"
          "  document.getElementById('report-check').textContent = 'page check: ' + verdict +\n"
          "    ' (' + (imgs.length + svgs.length) + ' images)' + (bad.length ? ': ' + bad.join(', ') : '');\n"
          "  if (bad.length)\n"
          "    console.error('hvflush report: ' + bad.length + ' image(s) did not load: ' +\n"
          "                  bad.join(', '));\n"
          "});\n"
          "</script>\n</body>\n</html>\n", out);
}
