package dev.myelin.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Both collectives on threads; the ring over real loopback sockets. */
class CollectiveTest {
    private interface Work {
        float[] run(Collective c) throws Exception;
    }

    /** The ring's workers, joined concurrently on loopback sockets. */
    private static List<Collective> ring(int n, long token, Duration timeout) throws Exception {
        List<ServerSocket> sockets = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ServerSocket s = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            sockets.add(s);
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<RingCollective>> joins = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                joins.add(pool.submit(() -> RingCollective.join(rank, addresses, sockets.get(rank), token, timeout)));
            }
            List<Collective> out = new ArrayList<>();
            for (var j : joins) out.add(j.get(30, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
            for (ServerSocket s : sockets) s.close();
        }
    }

    private static List<Collective> collectives(String kind, int n) throws Exception {
        return kind.equals("ring") ? ring(n, 42L, Duration.ofSeconds(20)) : InProcessCollective.group(n, Duration.ofSeconds(20));
    }

    /** Runs {@code work} on every worker at once and returns each one's result (or rethrows the first failure). */
    private static List<float[]> onEach(List<Collective> workers, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers.size());
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (Collective c : workers) futures.add(pool.submit(() -> work.run(c)));
            List<float[]> out = new ArrayList<>();
            for (var f : futures) out.add(f.get(60, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kind : List.of("ring", "in-process")) {
            for (int n = 1; n <= 4; n++) out.add(Arguments.of(kind, n));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, {1} worker(s)")
    @MethodSource("cases")
    void allReduceSumsEveryLengthAndGivesEveryWorkerTheSameBits(String kind, int n) throws Exception {
        List<Collective> workers = collectives(kind, n);
        try {
            for (int length : new int[] {0, 1, 3, 7, 1000, 100_003}) {
                float[][] inputs = new float[n][length];
                double[] expected = new double[length];
                for (int r = 0; r < n; r++) {
                    RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(31L * length + r);
                    for (int i = 0; i < length; i++) {
                        inputs[r][i] = (float) rng.nextGaussian();
                        expected[i] += inputs[r][i];
                    }
                }
                List<float[]> results = onEach(workers, c -> {
                    float[] mine = inputs[c.rank()].clone();
                    c.allReduceSum(mine);
                    c.barrier();
                    return mine;
                });
                for (int r = 0; r < n; r++) {
                    assertArrayEquals(results.get(0), results.get(r), "worker " + r + " differs from worker 0 (length " + length + ")");
                }
                for (int i = 0; i < length; i++) assertEquals(expected[i], results.get(0)[i], 1e-5, "element " + i + " of " + length);
            }
        } finally {
            for (Collective c : workers) c.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void differentLengthsAreAnErrorNamingBoth(String kind) throws Exception {
        List<Collective> workers = collectives(kind, 3);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Collective c : workers) futures.add(pool.submit(() -> {
                c.allReduceSum(new float[c.rank() == 1 ? 5 : 4]);
                return null;
            }));
            List<String> messages = new ArrayList<>();
            for (var f : futures) {
                var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
                messages.add(e.getCause().getMessage());
            }
            assertTrue(messages.stream().anyMatch(m -> m.contains("has 5 values") && m.contains("has 4")), messages.toString());
        } finally {
            pool.shutdownNow();
            for (Collective c : workers) c.close();
        }
    }

    /** Worker 1's own failure reaches every peer (directly or passed on around the ring), not "worker 1 closed the connection". */
    @ParameterizedTest(name = "{0} workers")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 4})
    void aWorkerThatFailsSendsItsCauseToEveryPeer(int n) throws Exception {
        List<Collective> workers = ring(n, 9L, Duration.ofSeconds(20));
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (Collective c : workers) {
                runs.add(pool.submit(() -> {
                    c.allReduceSum(new float[1001]); // one good all-reduce first: the abort comes after whole frames
                    if (c.rank() == 1) {
                        IllegalStateException own = new IllegalStateException("worker one gives up");
                        ((RingCollective) c).abort(own);
                        throw own;
                    }
                    c.allReduceSum(new float[1001]);
                    return null;
                }));
            }
            for (int r = 0; r < n; r++) {
                int rank = r;
                var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class, () -> runs.get(rank).get(30, TimeUnit.SECONDS));
                String expected = rank == 1 ? "worker one gives up" : "worker 1 failed: java.lang.IllegalStateException: worker one gives up";
                assertTrue(e.getCause().getMessage().contains(expected), "worker " + r + ": " + e.getCause());
            }
        } finally {
            pool.shutdownNow();
            for (Collective c : workers) c.close();
        }
    }

    static List<String> kinds() {
        return List.of("ring", "in-process");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aDeadPeerIsAnErrorWithinTheTimeoutNotAHang(String kind) throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        List<Collective> workers = kind.equals("ring") ? ring(3, 7L, timeout) : InProcessCollective.group(3, timeout);
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> alive = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Collective c = workers.get(r);
                alive.add(pool.submit(() -> {
                    c.allReduceSum(new float[1000]);
                    return null;
                }));
            }
            // worker 2 never takes part: it died
            for (var f : alive) {
                var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
                assertTrue(e.getCause().getMessage().contains("worker"), e.getCause().getMessage());
            }
            assertTrue((System.nanoTime() - t0) / 1e9 < 15, "the error took " + (System.nanoTime() - t0) / 1e9 + " s");
        } finally {
            pool.shutdownNow();
            for (Collective c : workers) c.close();
        }
    }

    @Test
    void aConnectionWithAnotherJobsTokenIsRefused() throws Exception {
        ServerSocket s0 = new ServerSocket(0, 8, InetAddress.getLoopbackAddress()), s1 = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        List<InetSocketAddress> peers = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), s0.getLocalPort()),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), s1.getLocalPort()));
        // A stranger connects to worker 0 first with a wrong token, then the real worker 1 joins.
        try (Socket stranger = new Socket(InetAddress.getLoopbackAddress(), s0.getLocalPort())) {
            var hello = new java.io.DataOutputStream(stranger.getOutputStream());
            hello.writeInt(0x4D594C4E);
            hello.writeLong(999L);
            hello.writeInt(1);
            hello.flush();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<RingCollective> w0 = pool.submit(() -> RingCollective.join(0, peers, s0, 5L, Duration.ofSeconds(10)));
                Future<RingCollective> w1 = pool.submit(() -> RingCollective.join(1, peers, s1, 5L, Duration.ofSeconds(10)));
                List<Collective> workers = List.of(w0.get(30, TimeUnit.SECONDS), w1.get(30, TimeUnit.SECONDS));
                List<float[]> out = onEach(workers, c -> {
                    float[] v = {c.rank() + 1f};
                    c.allReduceSum(v);
                    return v;
                });
                assertEquals(3f, out.get(0)[0]);
                assertEquals(3f, out.get(1)[0]);
                for (Collective c : workers) c.close();
            } finally {
                pool.shutdownNow();
            }
        } finally {
            s0.close();
            s1.close();
        }
    }
}
