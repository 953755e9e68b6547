package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** I8 tensors (int8-quantized weights): one signed byte per value, read back to float32 exactly, range checked on writing. */
class SafetensorsInt8Test {
    @Test
    void int8RoundTripsThroughTheFormat() throws Exception {
        Tensor t = Tensor.of(new float[] {-128, -1, 0, 1, 127, 5}, 2, 3);
        Safetensors.Entry e = Safetensors.Entry.of("q/kernel", t, Safetensors.DType.I8);
        assertArrayEquals(new byte[] {-128, -1, 0, 1, 127, 5}, e.data());
        byte[] file = Safetensors.encode(List.of(e, Safetensors.Entry.of("q/scale", Tensor.of(new float[] {0.5f}, 1))), Map.of());
        Safetensors.Contents back = Safetensors.decode(file, "test");
        assertEquals(Safetensors.DType.I8, back.entry("q/kernel").dtype());
        assertArrayEquals(t.toFloatArray(), back.tensors().get("q/kernel").toFloatArray());
        String text = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(true, text.contains("\"dtype\":\"I8\""), text);
    }

    @Test
    void valuesOutsideInt8AreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Safetensors.Entry.of("k", Tensor.of(new float[] {128}, 1), Safetensors.DType.I8));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.Entry.of("k", Tensor.of(new float[] {0.5f}, 1), Safetensors.DType.I8));
    }
}
