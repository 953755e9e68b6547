package dev.myelin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.io.Safetensors.Contents;
import dev.myelin.io.Safetensors.DType;
import dev.myelin.io.Safetensors.Entry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Mutates valid files (bit flips, truncation, inserted and deleted bytes, edited header numbers and
 * lengths) with a fixed seed: each mutant either decodes to consistent contents or is refused with a
 * {@link FileFormatException} that says something. Anything else (an unchecked exception, an
 * {@code OutOfMemoryError}) fails, naming the mutant so that it can be replayed.
 */
class SafetensorsFuzzTest {
    private static final int MUTANTS_PER_KIND = 600;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    private static List<byte[]> seeds() {
        SplittableRandom rng = new SplittableRandom(7);
        List<byte[]> seeds = new ArrayList<>();
        List<Entry> all = new ArrayList<>();
        for (DType t : DType.values()) {
            byte[] data = new byte[3 * t.bytes()];
            for (int i = 0; i < data.length; i++) data[i] = (byte) rng.nextInt(8); // small values: every integer type reads
            all.add(new Entry("layers/" + t.name().toLowerCase(), t, new long[] {3}, data));
        }
        all.add(new Entry("scalar", DType.F32, new long[0], new byte[] {0, 0, (byte) 0x80, 0x3F}));
        all.add(new Entry("empty", DType.F16, new long[] {0, 4}, new byte[0]));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "quote \" backslash \\ ü");
        seeds.add(Safetensors.encode(all, metadata));
        seeds.add(Safetensors.encode(List.of(new Entry("w", DType.F32, new long[] {2, 2}, new byte[16])), null));
        seeds.add(Safetensors.encode(List.of(), Map.of("only", "metadata")));
        return seeds;
    }

    @Test
    void mutantsDecodeConsistentlyOrAreRefusedWithAMessage() {
        List<byte[]> seeds = seeds();
        SplittableRandom rng = new SplittableRandom(20261206);
        int decoded = 0, refused = 0;
        String[] kinds = {"flip", "flipHeader", "truncate", "insert", "delete", "editNumber", "editLength"};
        for (String kind : kinds) {
            for (int i = 0; i < MUTANTS_PER_KIND; i++) {
                byte[] seed = seeds.get(rng.nextInt(seeds.size()));
                byte[] mutant = mutate(kind, seed, rng);
                if (check(kind + " #" + i, mutant)) decoded++;
                else refused++;
            }
        }
        assertEquals(kinds.length * MUTANTS_PER_KIND, decoded + refused);
        assertTrue(decoded > 100, "some mutants stay valid (" + decoded + ")");
        assertTrue(refused > 1000, "most mutants are refused (" + refused + ")");
    }

    /** True when the mutant decodes (and its contents are consistent), false when refused properly. */
    private static boolean check(String what, byte[] mutant) {
        Contents c;
        try {
            c = Safetensors.decode(mutant, "mutant");
        } catch (FileFormatException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("mutant: ") && e.getMessage().length() > "mutant: ".length() + 10,
                    what + ": a refusal says what is wrong: " + e.getMessage());
            return false;
        } catch (Throwable t) {
            fail(what + ": " + t + " instead of a FileFormatException for " + HexFormat.of().formatHex(mutant), t);
            return false;
        }
        try {
            long total = 0;
            for (Entry e : c.entries()) total += e.data().length;
            assertTrue(total <= mutant.length, what + ": no more data than the file holds");
            Contents again = Safetensors.decode(Safetensors.encode(c.entries(), c.metadata()), "re-encoded");
            assertEquals(c.metadata(), again.metadata(), what);
            assertEquals(Map.copyOf(byName(c)), Map.copyOf(byName(again)), what);
            for (Entry e : c.entries()) {
                try {
                    assertEquals(e.data().length / e.dtype().bytes(), e.toTensor().size(), what);
                } catch (IllegalArgumentException outOfRange) {
                    assertFalse(outOfRange.getMessage().isBlank(), what);
                }
            }
        } catch (Throwable t) {
            fail(what + ": decoded contents are inconsistent (" + t + ") for " + HexFormat.of().formatHex(mutant), t);
        }
        return true;
    }

    private static Map<String, Entry> byName(Contents c) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : c.entries()) m.put(e.name(), e);
        return m;
    }

    private static byte[] mutate(String kind, byte[] seed, SplittableRandom rng) {
        byte[] b = seed.clone();
        int headerEnd = 8 + (int) ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        switch (kind) {
            case "flip" -> {
                for (int k = 1 + rng.nextInt(3); k > 0; k--) b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
                return b;
            }
            case "flipHeader" -> {
                b[8 + rng.nextInt(headerEnd - 8)] ^= (byte) (1 << rng.nextInt(8));
                return b;
            }
            case "truncate" -> {
                return Arrays.copyOf(b, rng.nextInt(b.length));
            }
            case "insert" -> {
                int at = rng.nextInt(b.length + 1), n = 1 + rng.nextInt(8);
                byte[] extra = new byte[n];
                for (int i = 0; i < n; i++) extra[i] = rng.nextBoolean() ? (byte) ' ' : (byte) rng.nextInt(256);
                return splice(b, at, 0, extra);
            }
            case "delete" -> {
                int at = rng.nextInt(b.length), n = 1 + rng.nextInt(Math.min(8, b.length - at));
                return splice(b, at, n, new byte[0]);
            }
            case "editNumber" -> {
                // Replace one number of the header by another and fix the header length, so that the JSON stays valid.
                String header = new String(b, 8, headerEnd - 8, StandardCharsets.UTF_8);
                List<int[]> spans = new ArrayList<>();
                Matcher m = NUMBER.matcher(header);
                while (m.find()) spans.add(new int[] {m.start(), m.end()});
                if (spans.isEmpty()) return b;
                int[] s = spans.get(rng.nextInt(spans.size()));
                long old = Long.parseLong(header.substring(s[0], s[1]));
                String[] choices = {"0", "1", "-1", Long.toString(old + 1), Long.toString(old - 1), Long.toString(old * 2), "4611686018427387904",
                        "9223372036854775807", "18446744073709551616", "100000001", Integer.toString(rng.nextInt(64)), "1.0", "1e3"};
                String edited = header.substring(0, s[0]) + choices[rng.nextInt(choices.length)] + header.substring(s[1]);
                byte[] h = edited.getBytes(StandardCharsets.UTF_8);
                byte[] data = Arrays.copyOfRange(b, headerEnd, b.length);
                return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).put(data).array();
            }
            case "editLength" -> {
                long n = headerEnd - 8;
                long[] choices = {n + 1, n - 1, n + 8, 0, -1, Long.MIN_VALUE, 100_000_000, 100_000_001, b.length, 1L << 32, n ^ (1L << rng.nextInt(64))};
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[rng.nextInt(choices.length)]);
                return b;
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
