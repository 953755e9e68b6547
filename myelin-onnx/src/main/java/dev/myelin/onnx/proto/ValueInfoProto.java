package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX {@code ValueInfoProto} for tensor values: a name, the element type ({@link TensorProto#FLOAT}, ...)
 * and the shape, one entry per dimension: a size, or null for a symbolic dimension (such as the batch,
 * named {@code dimParams}). {@code elemType} 0 and a null {@code dims} mean the file gave no type or no shape.
 */
public record ValueInfoProto(String name, int elemType, List<Long> dims, List<String> dimParams) {
    public ValueInfoProto {
        dims = dims == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(dims));
        dimParams = dimParams == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(dimParams));
    }

    /** A float tensor value of the given shape; a null entry is a symbolic dimension named {@code "N"}. */
    public static ValueInfoProto floatTensor(String name, List<Long> dims) {
        List<String> params = new ArrayList<>();
        for (Long d : dims) params.add(d == null ? "N" : null);
        return new ValueInfoProto(name, TensorProto.FLOAT, dims, params);
    }

    static ValueInfoProto decode(WireReader r) throws FileFormatException {
        String name = "";
        int elemType = 0;
        List<Long> dims = null;
        List<String> params = null;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> name = r.string();
                case 2 -> { // TypeProto
                    WireReader type = r.message();
                    while (type.hasMore()) {
                        if (type.nextField() != 1) {
                            type.skip();
                            continue;
                        }
                        WireReader tensor = type.message(); // TypeProto.Tensor
                        while (tensor.hasMore()) {
                            switch (tensor.nextField()) {
                                case 1 -> elemType = tensor.int32();
                                case 2 -> {
                                    dims = new ArrayList<>();
                                    params = new ArrayList<>();
                                    WireReader shape = tensor.message();
                                    while (shape.hasMore()) {
                                        if (shape.nextField() != 1) {
                                            shape.skip();
                                            continue;
                                        }
                                        WireReader dim = shape.message();
                                        Long value = null;
                                        String param = null;
                                        while (dim.hasMore()) {
                                            switch (dim.nextField()) {
                                                case 1 -> value = dim.varint();
                                                case 2 -> param = dim.string();
                                                default -> dim.skip();
                                            }
                                        }
                                        dims.add(value);
                                        params.add(param);
                                    }
                                }
                                default -> tensor.skip();
                            }
                        }
                    }
                }
                default -> r.skip();
            }
        }
        return new ValueInfoProto(name, elemType, dims, params);
    }

    WireWriter encode() {
        WireWriter tensor = new WireWriter().varint(1, elemType);
        if (dims != null) {
            WireWriter shape = new WireWriter();
            for (int i = 0; i < dims.size(); i++) {
                WireWriter dim = new WireWriter();
                if (dims.get(i) != null) dim.varint(1, dims.get(i));
                else if (dimParams != null && dimParams.get(i) != null) dim.string(2, dimParams.get(i));
                shape.message(1, dim);
            }
            tensor.message(2, shape);
        }
        return new WireWriter().string(1, name).message(2, new WireWriter().message(1, tensor));
    }
}
