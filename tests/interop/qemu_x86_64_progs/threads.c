/* Threads: creation, atomics, mutexes (futex), join (CLONE_CHILD_CLEARTID), TLS. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_long counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long plain;
static __thread long tls_value = 7;

static void *work(void *a) {
  tls_value = (long)a;
  for (int i = 0; i < 20000; i++) {
    atomic_fetch_add(&counter, 1);
    pthread_mutex_lock(&mu);
    plain++;
    pthread_mutex_unlock(&mu);
  }
  return (void *)(tls_value * 2);
}

int main(void) {
  pthread_t t[8];
  for (long i = 0; i < 8; i++) pthread_create(&t[i], 0, work, (void *)i);
  long s = 0;
  for (int i = 0; i < 8; i++) {
    void *r;
    pthread_join(t[i], &r);
    s += (long)r;
  }
  printf("counter %ld plain %ld sum %ld main tls %ld\n", (long)counter, plain, s, tls_value);
  return 0;
}
