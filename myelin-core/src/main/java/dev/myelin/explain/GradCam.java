package dev.myelin.explain;

import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;

/**
 * Grad-CAM (Selvaraju et al. 2017) on a convolution layer chosen by name: each of the layer's feature maps
 * {@code A_k} weighted by the spatial mean of the target score's gradient with respect to it,
 * <pre>  α_k = mean_{i,j} ∂score/∂A_k[i, j],     L = ReLU(Σ_k α_k A_k)</pre>
 * then resized to the input's height and width by bilinear interpolation (pixel centres aligned, as
 * OpenCV's {@code resize} and PyTorch's {@code align_corners=False}). The layer's output is the one the
 * model passes on (after the layer's own activation, as PyTorch's forward hooks see a module's output).
 * The score is the one of {@link AttributionMethod}; the intermediate output is captured by running the
 * model's graph with that output as a leaf of the autograd graph ({@link LayerTap}).
 *
 * <p>Shapes: the layer's output {@code [n, h', w', k]} (or {@code [n, t', k]} for a 1-D convolution);
 * {@link #explainBatch} gives {@code [n, h, w, 1]} at the input's size ({@code [n, t, 1]}),
 * {@link #layerMaps} the maps {@code [n, h', w', 1]} at the layer's own size. One forward and one backward
 * pass per batch.
 *
 * @param layer the name of the layer (such as {@code "conv2d"}), called directly by the model
 */
public record GradCam(String layer) implements AttributionMethod {
    public GradCam {
        if (layer == null || layer.isBlank()) throw new IllegalArgumentException("GradCam needs a layer name");
    }

    @Override
    public String name() {
        return "gradcam";
    }

    @Override
    public Attribution explainBatch(Model model, Tensor x, Target target, int offset) {
        Attribution maps = layerMaps(model, x, target, offset);
        return new Attribution(resize(maps.values(), x.shape().toArray()), maps.targets());
    }

    /** The Grad-CAM maps at the layer's own resolution, {@code [n, h', w', 1]} (one batch). */
    public Attribution layerMaps(Model model, Tensor x, Target target, int offset) {
        Tensor input = x.detach().contiguous();
        try (var frozen = InputGradient.FrozenWeights.of(model, input)) {
            LayerTap.Result r = LayerTap.run(model, input, layer);
            Tensor a = r.activation();
            if (a.rank() != 3 && a.rank() != 4) {
                throw new IllegalArgumentException("GradCam: layer '" + layer + "' outputs " + a.shape() + "; Grad-CAM needs feature maps [n, h, w, channels] or [n, steps, channels]");
            }
            Tensor scores = Scores.logits(r.output());
            int[] targets = target.resolve(scores.detach(), offset);
            Scores.selected(scores, targets).sum().backward();
            Tensor grad = a.grad() != null ? a.grad() : Tensor.zerosLike(a);
            int[] spatial = a.rank() == 4 ? new int[] {1, 2} : new int[] {1};
            Tensor alpha = grad.mean(spatial, true); // [n, 1, (1,) k]
            Tensor cam = a.detach().mul(alpha).sum(new int[] {a.rank() - 1}, true).relu();
            return new Attribution(cam, targets);
        }
    }

    /** Bilinear resize of maps {@code [n, h', w', 1]} or {@code [n, t', 1]} to the spatial size of {@code input}. */
    static Tensor resize(Tensor maps, int[] input) {
        int n = maps.dim(0);
        boolean image = maps.rank() == 4;
        int h = maps.dim(1), w = image ? maps.dim(2) : 1;
        int oh = input[1], ow = image && input.length == 4 ? input[2] : 1;
        if (h == oh && w == ow) return maps;
        float[] src = maps.contiguous().toFloatArray();
        float[] dst = new float[n * oh * ow];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < oh; y++) {
                double sy = Math.min(h - 1, Math.max(0, (y + 0.5) * h / oh - 0.5));
                int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int xx = 0; xx < ow; xx++) {
                    double sx = Math.min(w - 1, Math.max(0, (xx + 0.5) * w / ow - 0.5));
                    int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    int b = i * h * w;
                    double top = src[b + y0 * w + x0] * (1 - fx) + src[b + y0 * w + x1] * fx;
                    double bottom = src[b + y1 * w + x0] * (1 - fx) + src[b + y1 * w + x1] * fx;
                    dst[(i * oh + y) * ow + xx] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return image ? Tensor.of(dst, n, oh, ow, 1) : Tensor.of(dst, n, oh, 1);
    }
}
