package dev.myelin.compress;

import dev.myelin.compress.bf16.Bf16Conv2D;
import dev.myelin.compress.bf16.Bf16Dense;
import dev.myelin.compress.bf16.Bf16KernelLayer;
import dev.myelin.models.Model;
import dev.myelin.nn.Layer;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.KernelLayer;

/**
 * The bf16 inference path: a trained float model becomes a model whose Dense and Conv2D layers are
 * {@link Bf16Dense} and {@link Bf16Conv2D}, whose kernels are rounded to bfloat16 (nearest, ties to even;
 * relative error at most 2^-9) and multiplied in float32 with float32 accumulation; everything else
 * (biases, other layers) stays float32. The model predicts, evaluates and saves like any model; its
 * kernels are stored as BF16, so its file is about half the float model's.
 *
 * <p>Unlike {@link HalfPrecisionStorage}, which only narrows the file and computes in float32 after
 * loading, the product itself reads bfloat16 weights: half the weight traffic, which is what limits a
 * layer at small batches. The Vector API has no bfloat16 arithmetic, so the kernel widens the bfloat16
 * weights to float32 in registers on every CPU, with or without AVX-512 BF16
 * ({@link dev.myelin.backend.Bf16Gemm#cpuHasAvx512Bf16}). Layers inside a nested model stay in float32.
 *
 * <p>Example:
 * <pre>{@code
 * Model bf16 = Bf16Inference.convert(model);
 * bf16.save(Path.of("model-bf16.myelin"));
 * }</pre>
 */
public final class Bf16Inference {
    private Bf16Inference() {}

    /** A new model: {@code model} with each Dense and Conv2D replaced by its bf16 twin. {@code model} is not changed. */
    public static Model convert(Model model) {
        return TwinModels.rewrite(model, Bf16Inference::twinOrNull, (Bf16KernelLayer twin, Layer original) -> {
            var k = (KernelLayer<?>) original;
            twin.setFloatWeights(k.kernel().value(), k.bias() == null ? null : k.bias().value());
        });
    }

    /** The unbuilt bf16 twin of a Dense or Conv2D layer (same name and settings), or null for other layers. */
    static Bf16KernelLayer twinOrNull(Layer layer) {
        if (layer instanceof Dense d) return Bf16Dense.fromConfig(new Bf16Dense.Config(d.settings(), d.units(), d.activation(), d.useBias()));
        if (layer instanceof Conv2D c) {
            int[] k = c.kernelSize();
            return Bf16Conv2D.fromConfig(new Bf16Conv2D.Config(c.settings(), c.filters(), k[0], k[1], c.options(), c.activation(), c.useBias()));
        }
        return null;
    }
}
