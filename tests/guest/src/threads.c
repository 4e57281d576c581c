/* guest-test: variants=static,pie ldflags=-pthread cflags=-pthread
 * pthreads: many threads incrementing counters under a mutex, with atomics (lock xadd,
 * cmpxchg loops, C11 atomics), a condition variable handshake (producer/consumer), thread-local
 * storage (__thread, initialised and zero), pthread_join return values, pthread_once, barriers,
 * rwlocks, pthread_kill to a given thread (the handler runs in that thread), a detached
 * thread, and a thread calling exit while others run is not done here (see fork_exec). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NT 8
#define ITERS 20000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long locked_counter;
static long xadd_counter;
static _Atomic long c11_counter;
static long cas_counter;
static __thread long tls_counter = 1000;
static __thread char tls_zero[64];
static pthread_barrier_t barrier;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void once_fn(void) { once_runs++; }

static void *worker(void *arg) {
    long id = (long)arg;
    pthread_once(&once, once_fn);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&mu);
        locked_counter++;
        pthread_mutex_unlock(&mu);
        long one = 1;
        __asm__ volatile("lock xaddq %0, %1" : "+r"(one), "+m"(xadd_counter) : : "memory");
        atomic_fetch_add(&c11_counter, 2);
        long old = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas_counter, &old, old + 3, 0, __ATOMIC_SEQ_CST,
                                            __ATOMIC_RELAXED)) {}
        tls_counter++;
    }
    int zero = 1;
    for (int i = 0; i < 64; i++) zero &= tls_zero[i] == 0;
    tls_zero[0] = (char)id;
    return (void *)(tls_counter * 100 + id * 10 + zero);
}

/* producer/consumer through a condition variable */
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queue[16], qhead, qtail, done;
static void *producer(void *arg) {
    (void)arg;
    for (int i = 1; i <= 1000; i++) {
        pthread_mutex_lock(&mu);
        while (qtail - qhead == 16) pthread_cond_wait(&cv, &mu);
        queue[qtail++ % 16] = i;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_lock(&mu);
    done = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    return NULL;
}
static void *consumer(void *arg) {
    long sum = 0, n = 0;
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (qtail == qhead && !done) pthread_cond_wait(&cv, &mu);
        if (qtail == qhead && done) {
            pthread_mutex_unlock(&mu);
            break;
        }
        sum += queue[qhead++ % 16];
        n++;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return (void *)(sum * 10000 + n);
}

/* pthread_kill */
static volatile pid_t handler_tid;
static volatile int target_ready, handled;
static void usr1(int sig) {
    (void)sig;
    handler_tid = (pid_t)syscall(SYS_gettid);
    handled = 1;
}
static void *target(void *arg) {
    pid_t *tid = arg;
    *tid = (pid_t)syscall(SYS_gettid);
    __atomic_store_n(&target_ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&handled, __ATOMIC_SEQ_CST)) usleep(1000);
    return NULL;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_value;
static void *rw_worker(void *arg) {
    long sum = 0;
    for (int i = 0; i < 2000; i++) {
        if (i % 10 == (long)arg) {
            pthread_rwlock_wrlock(&rw);
            rw_value++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            sum += rw_value >= 0;
            pthread_rwlock_unlock(&rw);
        }
    }
    return (void *)sum;
}

static volatile int detached_ran;
static void *detached(void *arg) {
    (void)arg;
    __atomic_store_n(&detached_ran, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(void) {
    pthread_t t[NT];
    pthread_barrier_init(&barrier, NULL, NT);
    for (long i = 0; i < NT; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < NT; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d returned %ld\n", i, (long)r);
    }
    printf("mutex %ld xadd %ld c11 %ld cas %ld (expect %d %d %d %d)\n", locked_counter,
           xadd_counter, (long)c11_counter, cas_counter, NT * ITERS, NT * ITERS, 2 * NT * ITERS,
           3 * NT * ITERS);
    printf("main tls %ld once ran %d\n", tls_counter, once_runs);

    pthread_t p, c[3];
    pthread_create(&p, NULL, producer, NULL);
    for (int i = 0; i < 3; i++) pthread_create(&c[i], NULL, consumer, NULL);
    pthread_join(p, NULL);
    long total = 0, items = 0;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(c[i], &r);
        total += (long)r / 10000;
        items += (long)r % 10000;
    }
    printf("condvar: consumed %ld items, sum %ld\n", items, total);

    signal(SIGUSR1, usr1);
    pthread_t tt;
    pid_t target_tid = 0;
    pthread_create(&tt, NULL, target, &target_tid);
    while (!__atomic_load_n(&target_ready, __ATOMIC_SEQ_CST)) usleep(1000);
    pthread_kill(tt, SIGUSR1);
    pthread_join(tt, NULL);
    printf("pthread_kill: handled in the target thread %d, not main %d\n",
           handler_tid == target_tid, handler_tid != (pid_t)syscall(SYS_gettid));

    pthread_t rws[4];
    for (long i = 0; i < 4; i++) pthread_create(&rws[i], NULL, rw_worker, (void *)i);
    long reads = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(rws[i], &r);
        reads += (long)r;
    }
    printf("rwlock: value %ld reads %ld\n", rw_value, reads);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 20);
    pthread_t d;
    pthread_create(&d, &attr, detached, NULL);
    while (!__atomic_load_n(&detached_ran, __ATOMIC_SEQ_CST)) usleep(1000);
    printf("detached thread ran\n");
    /* many short-lived threads */
    long sum = 0;
    for (int round = 0; round < 50; round++) {
        pthread_t x[4];
        for (long i = 0; i < 4; i++) pthread_create(&x[i], NULL, detached, (void *)i);
        for (int i = 0; i < 4; i++) pthread_join(x[i], NULL);
        sum += 4;
    }
    printf("created and joined %ld short threads\n", sum);
    return 0;
}
