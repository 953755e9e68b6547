package dev.myelin.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The harness passes a correct layer and catches each kind of broken one. */
class LayerTestHarnessTest {

    /** {@code y = x ⊙ scale} (+ a deliberate defect). */
    private static final class Scale extends Layer {
        enum Defect { NONE, WRONG_SHAPE, DETACHED_WEIGHT, WRONG_INPUT_GRADIENT, FROZEN_OUTPUT }

        private final Defect defect;
        private Parameter scale;

        Scale(Defect defect) {
            super("scale_test");
            this.defect = defect;
        }

        @Override
        protected Shape computeOutputShape(Shape inputShape) {
            return defect == Defect.WRONG_SHAPE ? inputShape.with(-1, inputShape.dim(-1) + 1) : inputShape;
        }

        @Override
        protected void onBuild(Shape inputShape, RandomGenerator rng) {
            scale = addWeight("scale", Shape.of(inputShape.dim(-1)), new GlorotUniform(), rng);
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return switch (defect) {
                case NONE, WRONG_SHAPE -> x.mul(scale.value());
                case DETACHED_WEIGHT -> x.mul(scale.value().detach()).add(scale.value().mul(0));
                case WRONG_INPUT_GRADIENT -> x.mul(scale.value()).add(x.detach().square());
                case FROZEN_OUTPUT -> x.mul(0).add(scale.value().detach());
            };
        }
    }

    private static LayerTestHarness harness(Scale.Defect defect) {
        return LayerTestHarness.of(() -> new Scale(defect)).inputShape(2, 3);
    }

    private static void assertCaught(Executable e, String part) {
        AssertionError err = assertThrows(AssertionError.class, e);
        assertTrue(err.getMessage().contains(part), "message '" + err.getMessage() + "' lacks '" + part + "'");
    }

    @Test
    void passesACorrectLayer() {
        harness(Scale.Defect.NONE).expectOutputShape(2, 3).expectWeights(1, 0).expectParams(3).run();
    }

    @Test
    void catchesBrokenLayers() {
        assertCaught(() -> harness(Scale.Defect.WRONG_SHAPE).run(), "shape vs outputShape");
        assertCaught(() -> harness(Scale.Defect.DETACHED_WEIGHT).run(), "scale_test");
        assertCaught(() -> harness(Scale.Defect.WRONG_INPUT_GRADIENT).run(), "gradient w.r.t. input");
        assertCaught(() -> harness(Scale.Defect.FROZEN_OUTPUT).run(), "gradient");
        assertCaught(() -> harness(Scale.Defect.NONE).expectWeights(2, 0).run(), "trainable weights");
        assertCaught(() -> harness(Scale.Defect.NONE).expectParams(4).run(), "countParams");
        assertCaught(() -> harness(Scale.Defect.NONE).expectOutputShape(3, 2).run(), "outputShape");
    }
}
