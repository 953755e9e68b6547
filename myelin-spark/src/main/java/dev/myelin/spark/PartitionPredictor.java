package dev.myelin.spark;

import dev.myelin.autograd.NoGrad;
import dev.myelin.models.Model;
import dev.myelin.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's predictions, in batches: rows are read {@code batchSize} at a time, converted to one input
 * tensor, predicted, and returned with the prediction columns appended. Serializable, as Spark ships it to the
 * executors; the model travels as the broadcast's bytes.
 */
final class PartitionPredictor implements MapPartitionsFunction<Row, Row> {
    private final Broadcast<byte[]> model;
    private final String modelName, inputCol;
    private final int column, batchSize, topK;
    private final MyelinPredictor.InputKind kind;

    PartitionPredictor(Broadcast<byte[]> model, String modelName, int column, String inputCol, MyelinPredictor.InputKind kind, int batchSize, int topK) {
        this.model = model;
        this.modelName = modelName;
        this.column = column;
        this.inputCol = inputCol;
        this.kind = kind;
        this.batchSize = batchSize;
        this.topK = topK;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Model m = ExecutorModels.get(model.value(), modelName);
        int[] shape = m.inputs().getFirst().shape().toArray();
        int perExample = 1;
        for (int d : shape) perExample *= d;
        int values = perExample;
        return new Iterator<>() {
            private final List<Row> ready = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < ready.size()) return true;
                ready.clear();
                next = 0;
                List<Row> batch = new ArrayList<>();
                while (batch.size() < batchSize && rows.hasNext()) batch.add(rows.next());
                if (batch.isEmpty()) return false;
                ready.addAll(predict(m, shape, values, batch));
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.get(next++);
            }
        };
    }

    private List<Row> predict(Model m, int[] shape, int values, List<Row> batch) {
        float[] x = new float[batch.size() * values];
        for (int i = 0; i < batch.size(); i++) read(batch.get(i), shape, values, x, i * values);
        int[] dims = new int[shape.length + 1];
        dims[0] = batch.size();
        System.arraycopy(shape, 0, dims, 1, shape.length);
        float[] p;
        synchronized (m) {
            try (var g = NoGrad.scope()) {
                p = m.predict(Tensor.of(x, dims), batch.size()).toFloatArray();
            }
        }
        int classes = p.length / batch.size();
        List<Row> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            float[] probs = java.util.Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
            Row in = batch.get(i);
            Object[] cells = new Object[in.length() + (topK > 0 ? 3 : 2)];
            for (int c = 0; c < in.length(); c++) cells[c] = in.get(c);
            int[] order = ranking(probs);
            cells[in.length()] = classes == 1 ? (probs[0] >= 0.5f ? 1 : 0) : order[0];
            cells[in.length() + 1] = probs;
            if (topK > 0) cells[in.length() + 2] = java.util.Arrays.copyOf(order, Math.min(topK, classes));
            out.add(RowFactory.create(cells));
        }
        return out;
    }

    /** Class indices by decreasing output (ties: the smaller index first). */
    private static int[] ranking(float[] probs) {
        Integer[] idx = new Integer[probs.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = idx[i];
        return out;
    }

    /** One row's input values into {@code x} at {@code offset}; errors name the column and what was expected. */
    private void read(Row row, int[] shape, int values, float[] x, int offset) {
        if (row.isNullAt(column)) throw new IllegalArgumentException("input column '" + inputCol + "' is null in a row; every row needs " + values + " values");
        switch (kind) {
            case FLOATS, DOUBLES -> {
                List<Object> list = row.getList(column);
                if (list.size() != values) {
                    throw new IllegalArgumentException("input column '" + inputCol + "' has " + list.size() + " values in a row; model " + modelName + " takes "
                            + values + " per example (input shape " + java.util.Arrays.toString(shape) + ")");
                }
                for (int i = 0; i < values; i++) {
                    Object v = list.get(i);
                    if (v == null) throw new IllegalArgumentException("input column '" + inputCol + "' holds a null value at index " + i);
                    x[offset + i] = ((Number) v).floatValue();
                }
            }
            case ENCODED_IMAGE -> {
                BufferedImage img;
                try {
                    img = ImageIO.read(new ByteArrayInputStream((byte[]) row.get(column)));
                } catch (IOException e) {
                    throw new UncheckedIOException("input column '" + inputCol + "': an image that cannot be decoded: " + e.getMessage(), e);
                }
                if (img == null) throw new IllegalArgumentException("input column '" + inputCol + "' holds bytes that are not a PNG, JPEG, GIF or BMP image");
                int[] hwc = imageShape(shape);
                checkSize(img.getHeight(), img.getWidth(), hwc);
                var raster = img.getRaster();
                boolean grey = raster.getNumBands() == 1; // the stored level: getRGB would gamma-convert grey images
                int max = (1 << img.getColorModel().getComponentSize(0)) - 1;
                for (int yy = 0; yy < hwc[0]; yy++) {
                    for (int xx = 0; xx < hwc[1]; xx++) {
                        int r, g, b;
                        if (grey) r = g = b = Math.round(raster.getSample(xx, yy, 0) * 255f / max);
                        else {
                            int rgb = img.getRGB(xx, yy);
                            r = (rgb >> 16) & 255;
                            g = (rgb >> 8) & 255;
                            b = rgb & 255;
                        }
                        put(x, offset + (yy * hwc[1] + xx) * hwc[2], hwc[2], r, g, b);
                    }
                }
            }
            case IMAGE_SCHEMA -> {
                Row image = row.getStruct(column);
                int h = image.getInt(image.fieldIndex("height")), w = image.getInt(image.fieldIndex("width"));
                int channels = image.getInt(image.fieldIndex("nChannels"));
                byte[] data = (byte[]) image.get(image.fieldIndex("data"));
                int[] hwc = imageShape(shape);
                checkSize(h, w, hwc);
                if (channels != 1 && channels != 3 && channels != 4) throw new IllegalArgumentException("input column '" + inputCol + "': images with " + channels + " channels are not supported (1, 3 or 4)");
                if (data.length < (long) h * w * channels) throw new IllegalArgumentException("input column '" + inputCol + "': image data of " + data.length + " bytes for " + h + "x" + w + "x" + channels);
                for (int p = 0; p < h * w; p++) {
                    int base = p * channels;
                    int b = data[base] & 255, g = channels == 1 ? b : data[base + 1] & 255, r = channels == 1 ? b : data[base + 2] & 255; // Spark stores BGR(A)
                    put(x, offset + p * hwc[2], hwc[2], r, g, b);
                }
            }
        }
    }

    /** Writes one pixel scaled to [0, 1]: RGB, or grey by ITU-R 601 luma (as PIL's "L" and Myelin's predict command). */
    private static void put(float[] x, int at, int channels, int r, int g, int b) {
        if (channels == 1) x[at] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
        else {
            x[at] = r / 255f;
            x[at + 1] = g / 255f;
            x[at + 2] = b / 255f;
        }
    }

    private int[] imageShape(int[] shape) {
        if (shape.length != 3 || (shape[2] != 1 && shape[2] != 3)) {
            throw new IllegalArgumentException("input column '" + inputCol + "' holds images, but model " + modelName + " takes input of shape "
                    + java.util.Arrays.toString(shape) + ", not [height, width, 1 or 3]");
        }
        return shape;
    }

    private void checkSize(int h, int w, int[] hwc) {
        if (h != hwc[0] || w != hwc[1]) {
            throw new IllegalArgumentException("input column '" + inputCol + "' holds a " + w + "x" + h + " image; model " + modelName + " takes " + hwc[1] + "x" + hwc[0]);
        }
    }
}
