package dev.myelin.multimodal;

import dev.myelin.autograd.NoGrad;
import dev.myelin.tensor.Tensor;
import dev.myelin.text.TextVectorizer;

/**
 * Zero-shot classification and image→text retrieval with a trained {@link DualEncoder}.
 *
 * <ul>
 *   <li><b>Zero-shot accuracy</b>: each class is represented by the average of its descriptions' normalized
 *       text embeddings, normalized again (CLIP's prompt ensembling); an image is given the class whose
 *       representative has the highest cosine with the image's embedding.</li>
 *   <li><b>Recall@k (image→text)</b>: the gallery is every description of every class
 *       ({@link ClassDescriptions#all()}, one entry per wording: 60 texts for Fashion-MNIST). For each image,
 *       the gallery is ranked by cosine (ties to the earlier entry); a hit is a description of the image's
 *       class among the first {@code k}. Recall@k is the fraction of images with a hit.</li>
 * </ul>
 *
 * <p>Example: {@code ZeroShot.Report r = ZeroShot.evaluate(clip, vectorizer, ClassDescriptions.fashionMnist(), testImages, testLabels);}
 */
public final class ZeroShot {
    private ZeroShot() {}

    /** Zero-shot accuracy and recall@1 and @5 of image→text retrieval, on {@code images} of {@code labels}. */
    public record Report(double accuracy, double recallAt1, double recallAt5, int images, int galleryTexts) {}

    /**
     * Evaluates {@code encoder} on {@code images} {@code [n, ...]} with class ids {@code labels} {@code [n]}, the
     * descriptions tokenized by {@code vectorizer}.
     *
     * @throws IllegalArgumentException when the image and label counts differ, or a label has no class
     */
    public static Report evaluate(DualEncoder encoder, TextVectorizer vectorizer, ClassDescriptions descriptions, Tensor images, Tensor labels) {
        int n = images.dim(0);
        if (labels.rank() != 1 || labels.dim(0) != n) {
            throw new IllegalArgumentException("zero-shot evaluation needs one label per image: " + n + " images, labels of shape " + labels.shape());
        }
        int[] y = labels.toIndexArray(descriptions.classes(), "zero-shot label");
        try (var g = NoGrad.scope()) {
            Tensor imageEmbeddings = encoder.embedImages(images);
            Tensor gallery = encoder.embedTexts(vectorizer.vectorize(descriptions.all()));
            Tensor prototypes = classPrototypes(gallery, descriptions.classOfEach(), descriptions.classes());
            int[] predicted = imageEmbeddings.matmul(prototypes.mT()).argmax(1).toIndexArray(descriptions.classes(), "class");
            int right = 0;
            for (int i = 0; i < n; i++) if (predicted[i] == y[i]) right++;
            double[] sim = imageEmbeddings.matmul(gallery.mT()).toDoubleArray();
            int[] galleryClass = descriptions.classOfEach();
            return new Report(right / (double) n, recallAtK(sim, galleryClass, y, 1), recallAtK(sim, galleryClass, y, 5), n, galleryClass.length);
        }
    }

    /** The mean of each class's rows of {@code textEmbeddings}, L2-normalized: {@code [classes, D]}. */
    public static Tensor classPrototypes(Tensor textEmbeddings, int[] classOfRow, int classes) {
        int d = textEmbeddings.dim(1);
        double[] e = textEmbeddings.toDoubleArray();
        double[] sum = new double[classes * d];
        for (int r = 0; r < classOfRow.length; r++) for (int j = 0; j < d; j++) sum[classOfRow[r] * d + j] += e[r * d + j];
        return InfoNce.normalize(Tensor.of(sum, classes, d)).to(textEmbeddings.dtype());
    }

    /**
     * The fraction of rows of {@code similarity} ({@code [n, m]} row-major, image by gallery text) whose
     * {@code k} most similar texts include one of the image's class (ties to the lower index).
     */
    public static double recallAtK(double[] similarity, int[] galleryClass, int[] imageClass, int k) {
        int m = galleryClass.length, n = imageClass.length;
        if (similarity.length != (long) n * m) throw new IllegalArgumentException("recall@k: " + similarity.length + " similarities for " + n + " images x " + m + " texts");
        if (k < 1) throw new IllegalArgumentException("recall@k needs k >= 1, got " + k);
        int hits = 0;
        for (int i = 0; i < n; i++) {
            // the rank of the best text of the right class = the number of texts ranked before it
            double best = Double.NEGATIVE_INFINITY;
            int bestIndex = -1;
            for (int j = 0; j < m; j++) {
                if (galleryClass[j] == imageClass[i] && similarity[i * m + j] > best) {
                    best = similarity[i * m + j];
                    bestIndex = j;
                }
            }
            if (bestIndex < 0) continue;
            int before = 0;
            for (int j = 0; j < m; j++) {
                double s = similarity[i * m + j];
                if (s > best || (s == best && j < bestIndex)) before++;
            }
            if (before < k) hits++;
        }
        return hits / (double) n;
    }
}
