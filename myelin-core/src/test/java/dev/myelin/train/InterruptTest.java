package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.losses.Loss;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C during fit, by raising SIGINT on this process from a callback: the first stops after the current
 * step, runs onTrainEnd and returns the History of the complete epochs; a second goes to the handler that
 * was there before fit, which fit also puts back when it ends. The test installs a counting handler as the
 * "before" one, so no SIGINT can reach the JVM's default handler (which would exit).
 */
class InterruptTest {
    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    /** Raises SIGINT at (epoch 1, batch 1), and once more at (1, 2) when {@code twice}; records what the loop did. */
    static class Raiser implements Callback {
        private final Signal sigint;
        private final boolean twice;
        private final AtomicInteger before;
        private TrainingPlan plan;
        private int epoch;
        final List<Integer> epochsEnded = new ArrayList<>();
        final List<String> batchesAfterRaise = new ArrayList<>();
        boolean raised;
        boolean trainEnded;

        Raiser(Signal sigint, boolean twice, AtomicInteger before) {
            this.sigint = sigint;
            this.twice = twice;
            this.before = before;
        }

        @Override
        public void onTrainBegin(Trainable model, TrainingPlan p) {
            plan = p;
        }

        @Override
        public void onEpochBegin(int e) {
            epoch = e;
        }

        @Override
        public void onBatchEnd(int batch, Map<String, Double> logs) {
            if (raised) batchesAfterRaise.add(epoch + "/" + batch);
            if (epoch == 1 && batch == 1) {
                raised = true;
                Signal.raise(sigint);
                await(plan::interrupted, "fit's handler");
                if (twice) {
                    int n = before.get();
                    Signal.raise(sigint);
                    await(() -> before.get() == n + 1, "the previous handler");
                }
            }
        }

        @Override
        public void onEpochEnd(int e, Map<String, Double> logs) {
            epochsEnded.add(e);
        }

        @Override
        public void onTrainEnd(Map<String, Double> logs) {
            trainEnded = true;
        }
    }

    private static Sequential model() {
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.seed(1);
        m.compile(new SGD(0.01), Loss.MSE);
        return m;
    }

    @Test
    void ctrlCStopsAfterTheStepRunsOnTrainEndAndASecondGoesToThePreviousHandler() {
        Signal sigint = new Signal("INT");
        AtomicInteger before = new AtomicInteger();
        SignalHandler original;
        try {
            original = Signal.handle(sigint, s -> before.incrementAndGet());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            assumeTrue(false, "SIGINT cannot be handled in this JVM: " + e);
            return;
        }
        try {
            var rng = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
            Tensor x = Tensor.normal(rng, 0, 1, 20, 3), y = Tensor.normal(rng, 0, 1, 20, 2);

            Raiser once = new Raiser(sigint, false, before);
            History h = model().fit(x, y, FitOptions.epochs(4).batchSize(4).seed(2).verbose(0).callbacks(once));
            assertEquals(1, h.epochsRun(), "the History holds the complete epoch 0 only: " + h);
            assertEquals(List.of(0), once.epochsEnded, "the epoch cut short gets no onEpochEnd");
            assertEquals(List.of(), once.batchesAfterRaise, "the step in progress finishes, no further step runs");
            assertTrue(once.trainEnded, "onTrainEnd runs (a backup saves there)");
            assertTrue(once.plan.interrupted());
            assertEquals(1, once.plan.epochsCompleted());
            assertEquals(0, before.get(), "the first Ctrl-C went to fit's handler only");

            // after fit, the handler that was there before is back
            Signal.raise(sigint);
            await(() -> before.get() == 1, "the handler restored after fit");

            // a second Ctrl-C during fit goes to the previous handler (by default: the JVM exits)
            Raiser twice = new Raiser(sigint, true, before);
            History h2 = model().fit(x, y, FitOptions.epochs(4).batchSize(4).seed(2).verbose(0).callbacks(twice));
            assertEquals(2, before.get());
            assertEquals(1, h2.epochsRun());
            assertTrue(twice.trainEnded);

            // a run without Ctrl-C is not marked
            Raiser none = new Raiser(sigint, false, before) {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {}
            };
            assertEquals(4, model().fit(x, y, FitOptions.epochs(4).batchSize(4).verbose(0).callbacks(none)).epochsRun());
            assertTrue(none.trainEnded && !none.plan.interrupted());
        } finally {
            Signal.handle(sigint, original);
        }
    }
}
