package dev.myelin.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Reads one example's input values from a row's column, as the model's input layout: arrays of floats or
 * doubles, Spark ML vectors, image file bytes or Spark's image struct ({@link MyelinPredictor.InputKind});
 * images become [0, 1] values. Errors name the column and what the model expected.
 *
 * <p>Vectors are read through their user-defined type's serialized form (type 0 sparse / 1 dense, size,
 * indices, values), so Myelin needs no dependency on {@code spark-mllib}: the column's type is the
 * {@code VectorUDT} Spark ML put there, or, where Parquet holding vectors is read without spark-mllib on the
 * classpath, the plain struct of those four fields.
 *
 * @param type the column's Spark SQL type (the vector's user-defined type for {@code VECTOR})
 */
record RowInputs(int column, String inputCol, MyelinPredictor.InputKind kind, DataType type, String modelName) implements Serializable {

    /** One row's input values into {@code x} at {@code offset}; errors name the column and what was expected. */
    void read(Row row, int[] shape, int values, float[] x, int offset) {
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
            case VECTOR -> {
                int size;
                byte kindOf;
                int[] indices;
                double[] vs;
                if (type instanceof UserDefinedType<?>) {
                    @SuppressWarnings("unchecked")
                    InternalRow v = (InternalRow) ((UserDefinedType<Object>) type).serialize(row.get(column));
                    kindOf = v.getByte(0);
                    vs = v.getArray(3).toDoubleArray();
                    size = kindOf == 1 ? vs.length : v.getInt(1); // a dense vector stores no size (null): its values' length
                    indices = v.isNullAt(2) ? null : v.getArray(2).toIntArray();
                } else { // the vector's struct, read without spark-mllib's classes
                    Row v = row.getStruct(column);
                    kindOf = v.getByte(0);
                    vs = v.<Double>getList(3).stream().mapToDouble(Double::doubleValue).toArray();
                    size = kindOf == 1 ? vs.length : v.getInt(1);
                    indices = v.isNullAt(2) ? null : v.<Integer>getList(2).stream().mapToInt(Integer::intValue).toArray();
                }
                if (size != values) {
                    throw new IllegalArgumentException("input column '" + inputCol + "' holds a vector of size " + size + " in a row; model " + modelName + " takes "
                            + values + " values per example (input shape " + java.util.Arrays.toString(shape) + ")");
                }
                if (kindOf == 1) {
                    for (int i = 0; i < values; i++) x[offset + i] = (float) vs[i];
                } else {
                    java.util.Arrays.fill(x, offset, offset + values, 0f);
                    for (int k = 0; k < indices.length; k++) x[offset + indices[k]] = (float) vs[k];
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
