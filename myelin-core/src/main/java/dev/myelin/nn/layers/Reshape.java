package dev.myelin.nn.layers;

import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.LayerSettings;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Reshapes each example to {@code targetShape} (the batch dimension is kept); one dimension may be -1,
 * inferred from the element count, as Keras's {@code Reshape}.
 *
 * <p>Shapes: input {@code [batch, d1, ..., dk]}, output {@code [batch, t1, ..., tm]} with
 * {@code t1·…·tm = d1·…·dk}.
 *
 * <p>Weights: none.
 *
 * <p>Example: {@code new Reshape(-1, 4)} on {@code [2, 6]} gives {@code [3, 4]}.
 */
public final class Reshape extends Layer {
    private final int[] targetShape;
    private final int unknownAxis;

    /** Reshape's configuration: Keras's {@code target_shape} (one size may be -1). */
    public record Config(LayerSettings layer, List<Integer> targetShape) implements LayerConfig {}

    /** A layer with {@code config}'s settings. */
    public static Reshape fromConfig(Config config) {
        Reshape l = new Reshape(config.targetShape().stream().mapToInt(Integer::intValue).toArray());
        l.settings(config.layer());
        return l;
    }

    @Override
    public Config config() {
        return new Config(settings(), Arrays.stream(targetShape).boxed().toList());
    }

    /** @param targetShape the output shape without the batch dimension; positive sizes and at most one -1 */
    public Reshape(int... targetShape) {
        super("reshape");
        if (targetShape == null) throw new IllegalArgumentException("Reshape targetShape must not be null");
        int unknown = -1;
        for (int i = 0; i < targetShape.length; i++) {
            int d = targetShape[i];
            if (d == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("Reshape targetShape may contain -1 at most once, got targetShape=" + Arrays.toString(targetShape));
                }
                unknown = i;
            } else if (d <= 0) {
                throw new IllegalArgumentException("Reshape targetShape sizes must be positive or -1, got targetShape=" + Arrays.toString(targetShape));
            }
        }
        this.targetShape = targetShape.clone();
        this.unknownAxis = unknown;
    }

    /** The target shape as given (possibly with -1). */
    public int[] targetShape() {
        return targetShape.clone();
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        long known = 1;
        for (int d : targetShape) if (d != -1) known *= d;
        int size = inputShape.size();
        int[] out = targetShape.clone();
        if (unknownAxis >= 0) {
            if (size % known != 0) {
                throw shapeError("an element count divisible by " + known + " (to reshape to " + Arrays.toString(targetShape)
                        + "; this input has " + size + ")", inputShape);
            }
            out[unknownAxis] = (int) (size / known);
        } else if (known != size) {
            throw shapeError(known + " elements (to reshape to " + Arrays.toString(targetShape) + "; this input has " + size + ")", inputShape);
        }
        return Shape.of(out);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Shape out = computeOutputShape(builtInputShape());
        int[] dims = new int[out.rank() + 1];
        dims[0] = x.dim(0);
        for (int i = 0; i < out.rank(); i++) dims[i + 1] = out.dim(i);
        return x.reshape(dims);
    }
}
