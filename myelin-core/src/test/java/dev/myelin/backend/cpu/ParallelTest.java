package dev.myelin.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ParallelTest {
    private int saved;

    @BeforeEach
    void save() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void everyTaskRunsExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 4}) {
            Parallel.setThreads(threads);
            for (int tasks : new int[] {0, 1, 2, 3, 7, 100, 10_000}) {
                for (int rep = 0; rep < 20; rep++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(tasks, 1));
                    Parallel.forRange(tasks, runs::incrementAndGet);
                    for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "task " + t + " of " + tasks);
                }
            }
        }
    }

    @Test
    void onCallerThreadRunsEveryTaskOnTheCallerAndTheNextCallHasThePoolAgain() {
        Parallel.setThreads(2);
        Thread caller = Thread.currentThread();
        ConcurrentHashMap<Thread, Boolean> seen = new ConcurrentHashMap<>();
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        // As in usesSeveralThreads, each task waits (bounded) for a second one to run at once: with the pool a
        // worker would join in; inside onCallerThread none may, so every wait times out.
        String result = Parallel.onCallerThread(() -> {
            CountDownLatch two = new CountDownLatch(2);
            Parallel.forRange(8, t -> {
                seen.put(Thread.currentThread(), true);
                runs.incrementAndGet(t);
                two.countDown();
                try {
                    two.await(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return "done";
        });
        assertEquals("done", result);
        assertEquals(java.util.Set.of(caller), seen.keySet());
        for (int t = 0; t < 8; t++) assertEquals(1, runs.get(t), "task " + t);

        seen.clear();
        CountDownLatch both = new CountDownLatch(2);
        Parallel.forRange(2, t -> {
            seen.put(Thread.currentThread(), true);
            both.countDown();
            try {
                both.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(2, seen.size(), "after onCallerThread the pool's worker takes part again");
    }

    @Test
    void usesSeveralThreads() {
        Parallel.setThreads(2);
        ConcurrentHashMap<Thread, Boolean> seen = new ConcurrentHashMap<>();
        CountDownLatch both = new CountDownLatch(2);
        // Each task waits (bounded) until two tasks run at once, so a second thread must take part.
        Parallel.forRange(2, t -> {
            seen.put(Thread.currentThread(), true);
            both.countDown();
            try {
                both.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(2, seen.size());
    }

    @Test
    void exceptionsPropagateToTheCaller() {
        Parallel.setThreads(2);
        for (int rep = 0; rep < 50; rep++) {
            IllegalStateException boom = new IllegalStateException("boom");
            int bad = rep % 10;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(10, t -> {
                if (t == bad) throw boom;
            }));
            assertSame(boom, e);
        }
        AssertionError err = assertThrows(AssertionError.class, () -> Parallel.forRange(4, t -> {
            throw new AssertionError("error " + t);
        }));
        assertTrue(err.getMessage().startsWith("error"));
        // The pool still works afterwards.
        AtomicInteger n = new AtomicInteger();
        Parallel.forRange(100, t -> n.incrementAndGet());
        assertEquals(100, n.get());
    }

    @Test
    void nestedCallsRunWithoutDeadlock() {
        Parallel.setThreads(2);
        AtomicInteger n = new AtomicInteger();
        Parallel.forRange(8, t -> Parallel.forRange(8, u -> Parallel.forRange(3, v -> n.incrementAndGet())));
        assertEquals(8 * 8 * 3, n.get());
    }

    @Test
    void concurrentCallersAllFinish() throws InterruptedException {
        Parallel.setThreads(2);
        AtomicInteger n = new AtomicInteger();
        Thread[] callers = new Thread[4];
        for (int i = 0; i < callers.length; i++) {
            callers[i] = new Thread(() -> {
                for (int rep = 0; rep < 200; rep++) Parallel.forRange(17, t -> n.incrementAndGet());
            });
            callers[i].start();
        }
        for (Thread th : callers) th.join();
        assertEquals(4 * 200 * 17, n.get());
    }

    @Test
    void resizingBetweenAndInsideCalls() {
        AtomicInteger n = new AtomicInteger();
        for (int threads : new int[] {2, 1, 3, 2}) {
            Parallel.setThreads(threads);
            assertEquals(threads, Parallel.threads());
            Parallel.forRange(50, t -> n.incrementAndGet());
        }
        Parallel.forRange(4, t -> Parallel.setThreads(2 + t % 2));
        Parallel.forRange(50, t -> n.incrementAndGet());
        assertEquals(250, n.get());
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }

    @Test
    void singleThreadRunsInlineInOrder() {
        Parallel.setThreads(1);
        Thread caller = Thread.currentThread();
        int[] next = {0};
        Parallel.forRange(10, t -> {
            assertSame(caller, Thread.currentThread());
            assertEquals(next[0]++, t);
        });
        assertEquals(10, next[0]);
    }
}
