package dev.myelin.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.autograd.NoGrad;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/** The README's example, verbatim apart from the assertions: logistic regression's loss falls. */
class ReadmeExampleTest {
    @Test
    void readmeExampleTrains() {
        var rng = RandomGeneratorFactory.of("L64X128MixRandom").create(42);
        Tensor x = Tensor.randn(rng, 64, 20);                       // [batch, features]
        Tensor y = Tensor.oneHot(x.sum(1).gt(0), 2);                // [batch, 2]
        Tensor w = Tensor.normal(rng, 0, 0.1, 20, 2).requiresGrad(true);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 100; step++) {
            Tensor loss = x.matmul(w).logSoftmax(-1).mul(y).sum(1).mean().neg();
            loss.backward();                                        // w.grad() = dloss/dw
            try (var scope = NoGrad.scope()) {
                w.subInPlace(w.grad().mul(0.5));
                w.zeroGrad();
            }
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        double accuracy = x.matmul(w).argmax(1).eq(x.sum(1).gt(0)).mean().item();
        assertTrue(accuracy > 0.95, "accuracy " + accuracy);
    }
}
