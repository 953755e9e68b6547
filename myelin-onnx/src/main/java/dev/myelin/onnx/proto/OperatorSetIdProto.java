package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;

/** ONNX {@code OperatorSetIdProto}: an operator set's domain ({@code ""} is the default ONNX domain) and version. */
public record OperatorSetIdProto(String domain, long version) {
    static OperatorSetIdProto decode(WireReader r) throws FileFormatException {
        String domain = "";
        long version = 0;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> domain = r.string();
                case 2 -> version = r.varint();
                default -> r.skip();
            }
        }
        return new OperatorSetIdProto(domain, version);
    }

    WireWriter encode() {
        WireWriter w = new WireWriter();
        if (!domain.isEmpty()) w.string(1, domain);
        return w.varint(2, version);
    }
}
