/*
 * A test-and-test-and-set spinlock.  The xchg that takes the lock is a full
 * barrier (acquire); the releasing store is ordered after every access in
 * the critical section (release).  The _irqsave variants also disable
 * interrupts so a handler on the same CPU cannot deadlock on the lock.
 */
#ifndef GUEST_SPINLOCK_H
#define GUEST_SPINLOCK_H

#include <stdint.h>
#include <arch/cpu.h>

struct spinlock {
    volatile uint32_t locked;
};

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(struct spinlock *l)
{
    /* Acquire: pairs with the release store in spin_unlock(). */
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
    }
}

static inline void spin_unlock(struct spinlock *l)
{
    /* Release: pairs with the acquiring exchange in spin_lock(). */
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    irq_restore(flags);
}

#endif
