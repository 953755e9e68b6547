package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;
import java.util.ArrayList;
import java.util.List;

/** ONNX {@code NodeProto}: one operator call, from named input values to named output values ({@code ""} is an omitted optional input). */
public record NodeProto(String name, String opType, String domain, List<String> inputs, List<String> outputs, List<AttributeProto> attributes) {
    public NodeProto {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }

    /** The attribute named {@code key}, or null. */
    public AttributeProto attribute(String key) {
        for (AttributeProto a : attributes) if (a.name().equals(key)) return a;
        return null;
    }

    static NodeProto decode(WireReader r) throws FileFormatException {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<AttributeProto> attributes = new ArrayList<>();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> inputs.add(r.string());
                case 2 -> outputs.add(r.string());
                case 3 -> name = r.string();
                case 4 -> opType = r.string();
                case 5 -> attributes.add(AttributeProto.decode(r.message()));
                case 7 -> domain = r.string();
                default -> r.skip();
            }
        }
        return new NodeProto(name, opType, domain, inputs, outputs, attributes);
    }

    WireWriter encode() {
        WireWriter w = new WireWriter();
        inputs.forEach(s -> w.string(1, s));
        outputs.forEach(s -> w.string(2, s));
        if (!name.isEmpty()) w.string(3, name);
        w.string(4, opType);
        attributes.forEach(a -> w.message(5, a.encode()));
        if (!domain.isEmpty()) w.string(7, domain);
        return w;
    }
}
