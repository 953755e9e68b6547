package dev.myelin.onnx.proto;

import dev.myelin.io.FileFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX {@code ModelProto}, the top-level message of a {@code .onnx} file: the IR version, the operator sets
 * the graph uses, who produced it, and the graph. Fields Myelin does not use (metadata, functions,
 * training info) are skipped when read and not written.
 */
public record ModelProto(long irVersion, List<OperatorSetIdProto> opsetImports, String producerName, String producerVersion, GraphProto graph) {
    public ModelProto {
        opsetImports = List.copyOf(opsetImports);
    }

    /** Parses a model; {@code source} names the file in errors. */
    public static ModelProto parse(byte[] bytes, String source) throws FileFormatException {
        WireReader r = new WireReader(bytes, source);
        long ir = 0;
        List<OperatorSetIdProto> opsets = new ArrayList<>();
        String producer = "";
        String producerVersion = "";
        GraphProto graph = null;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> ir = r.varint();
                case 2 -> producer = r.string();
                case 3 -> producerVersion = r.string();
                case 7 -> graph = GraphProto.decode(r.message());
                case 8 -> opsets.add(OperatorSetIdProto.decode(r.message()));
                default -> r.skip();
            }
        }
        if (graph == null) throw new FileFormatException(source + ": not an ONNX model (no graph)");
        return new ModelProto(ir, opsets, producer, producerVersion, graph);
    }

    /** The operator set version of the default domain ({@code ""} or {@code "ai.onnx"}), or 0 when none is imported. */
    public long defaultOpset() {
        for (OperatorSetIdProto o : opsetImports) if (o.domain().isEmpty() || o.domain().equals("ai.onnx")) return o.version();
        return 0;
    }

    public byte[] toByteArray() {
        WireWriter w = new WireWriter().varint(1, irVersion);
        if (!producerName.isEmpty()) w.string(2, producerName);
        if (!producerVersion.isEmpty()) w.string(3, producerVersion);
        w.message(7, graph.encode());
        opsetImports.forEach(o -> w.message(8, o.encode()));
        return w.toByteArray();
    }
}
