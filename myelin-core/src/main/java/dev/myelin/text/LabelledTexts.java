package dev.myelin.text;

import dev.myelin.io.TextFiles;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Texts with integer labels, loaded from a folder with one subfolder per class, as Keras's
 * {@code text_dataset_from_directory}: classes are the subfolder names in alphabetical order (label =
 * index), each regular file below a class folder (any depth, in path order) is one UTF-8 text.
 *
 * <pre>
 * reviews/
 *   neg/ 0001.txt 0002.txt ...
 *   pos/ 0001.txt ...
 * </pre>
 */
public record LabelledTexts(List<String> texts, int[] labels, List<String> classNames) {
    public LabelledTexts {
        texts = List.copyOf(texts);
        labels = labels.clone();
        classNames = List.copyOf(classNames);
        if (texts.size() != labels.length) throw new IllegalArgumentException(texts.size() + " texts but " + labels.length + " labels");
    }

    /** Loads {@code dir}; an error names the folder when it is missing or has no class subfolders or no files. */
    public static LabelledTexts fromDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("text folder " + dir + " does not exist or is not a folder");
        List<Path> classes;
        try (Stream<Path> s = Files.list(dir)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classes.isEmpty()) throw new IOException("text folder " + dir + " has no class subfolders (expected " + dir + "/<class>/<file>)");
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            names.add(classes.get(c).getFileName().toString());
            List<Path> files;
            try (Stream<Path> s = Files.walk(classes.get(c))) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                texts.add(TextFiles.readUtf8(f));
                labels.add(c);
            }
        }
        if (texts.isEmpty()) throw new IOException("text folder " + dir + " has class subfolders " + names + " but no files in them");
        return new LabelledTexts(texts, labels.stream().mapToInt(Integer::intValue).toArray(), names);
    }

    public int size() {
        return texts.size();
    }

    /** The same texts in a seeded random order. */
    public LabelledTexts shuffled(long seed) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<String> t = new ArrayList<>();
        int[] l = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            t.add(texts.get(order[i]));
            l[i] = labels[order[i]];
        }
        return new LabelledTexts(t, l, classNames);
    }

    /** Labels as a float32 tensor {@code [n]}, for sparse categorical losses. */
    public Tensor labelTensor() {
        float[] y = new float[labels.length];
        for (int i = 0; i < y.length; i++) y[i] = labels[i];
        return Tensor.of(y, y.length);
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }
}
