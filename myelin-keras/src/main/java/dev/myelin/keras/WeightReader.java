package dev.myelin.keras;

import dev.myelin.autograd.NoGrad;
import dev.myelin.io.FileFormatException;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Copies HDF5 datasets into a layer's weights, in the layer's weight order (which is Keras's: Dense and
 * Conv2D kernel then bias; BatchNormalization gamma, beta, moving mean, moving variance; recurrent layers
 * kernel, recurrent kernel, bias). Every count, shape and data type is checked before any data is read, and
 * all of a layer's values are read before any weight changes.
 */
final class WeightReader {
    private WeightReader() {}

    /** Sets {@code layer}'s weights from {@code datasets}; {@code where} names the file and group in messages. */
    static void assign(Layer layer, List<Dataset> datasets, String where) throws FileFormatException {
        List<Parameter> params = layer.weights();
        if (params.size() != datasets.size()) {
            throw new FileFormatException(where + ": layer '" + layer.name() + "' has " + params.size() + " weights "
                    + names(params) + " but the file holds " + datasets.size());
        }
        List<Tensor> values = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) values.add(read(datasets.get(i), params.get(i), layer, where));
        assignValues(layer, values);
    }

    /** Sets {@code layer}'s weights to {@code values}, of the weights' shapes, in the layer's weight order. */
    static void assignValues(Layer layer, List<Tensor> values) {
        List<Parameter> params = layer.weights();
        try (var g = NoGrad.scope()) {
            for (int i = 0; i < params.size(); i++) params.get(i).value().assign(values.get(i));
        }
    }

    private static Tensor read(Dataset d, Parameter p, Layer layer, String where) throws FileFormatException {
        return read(d, p.value().shape().toArray(), layer, p.name(), where);
    }

    /**
     * The float32 values of {@code d}, which must have shape {@code expected}; {@code part} names what the
     * dataset is for in messages (a weight of {@code layer}, or a part of one).
     */
    static Tensor read(Dataset d, int[] expected, Layer layer, String part, String where) throws FileFormatException {
        String what = where + ": weight '" + d.getPath() + "' for layer '" + layer.name() + "' (" + part + ")";
        long[] got = Hdf5Files.read(where, "the shape of '" + d.getPath() + "'", d::getDimensionsAsLong);
        if (!Arrays.equals(Arrays.stream(expected).asLongStream().toArray(), got)) {
            throw new FileFormatException(what + ": layer '" + layer.name() + "' expects shape " + Shape.of(expected)
                    + " but the file holds " + Arrays.toString(got));
        }
        DataType type = Hdf5Files.read(where, "the data type of '" + d.getPath() + "'", d::getDataType);
        if (!(type instanceof FloatingPoint fp) || (fp.getSize() != 4 && fp.getSize() != 8)) {
            throw new FileFormatException(what + ": expected float32 or float64 data, found " + type.getClass().getSimpleName()
                    + " of " + type.getSize() + " bytes");
        }
        Object flat = Hdf5Files.read(where, "the values of '" + d.getPath() + "' for layer '" + layer.name() + "' (" + part + ")", d::getDataFlat);
        float[] data;
        if (flat instanceof float[] f) {
            data = f;
        } else if (flat instanceof double[] dd) {
            data = new float[dd.length];
            for (int i = 0; i < dd.length; i++) data[i] = (float) dd[i];
        } else {
            throw new FileFormatException(what + ": expected float data, read " + (flat == null ? "nothing" : flat.getClass().getSimpleName()));
        }
        if (data.length != Shape.of(expected).size()) throw new FileFormatException(what + ": holds " + data.length + " values, expected " + Shape.of(expected).size());
        for (float v : data) {
            if (!Float.isFinite(v)) {
                System.err.println("myelin: WARNING: " + what + " holds NaN or infinite values");
                break;
            }
        }
        return Tensor.of(data, expected);
    }

    private static List<String> names(List<Parameter> params) {
        return params.stream().map(Parameter::shortName).toList();
    }
}
