package dev.myelin.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data cache sizes of this machine's first core, read once from Linux's
 * {@code /sys/devices/system/cpu/cpu0/cache/index*} ({@code level}, {@code type}, {@code size} such as
 * {@code 512K}); kernels size their blocks from them instead of from one CPU's caches. Elsewhere, or when
 * the files say nothing usable, the sizes are 0 and callers keep their defaults.
 */
final class CpuCaches {
    private static final Path ROOT = Path.of("/sys/devices/system/cpu/cpu0/cache");

    /** Bytes of the level-1 data cache of one core, or 0 when unknown. */
    static final long L1 = size(ROOT, 1);
    /** Bytes of the level-2 cache (data or unified) of one core, or 0 when unknown. */
    static final long L2 = size(ROOT, 2);

    private CpuCaches() {}

    /** The size of the data or unified cache of {@code level} described under {@code root}, or 0. */
    static long size(Path root, int level) {
        for (int i = 0; i < 16; i++) {
            Path d = root.resolve("index" + i);
            if (!Files.isDirectory(d)) break;
            try {
                if (Integer.parseInt(Files.readString(d.resolve("level")).strip()) != level) continue;
                if (Files.readString(d.resolve("type")).strip().equals("Instruction")) continue;
                return parseSize(Files.readString(d.resolve("size")).strip());
            } catch (IOException | RuntimeException e) {
                return 0; // unreadable or malformed: unknown
            }
        }
        return 0;
    }

    /** {@code 512K}, {@code 2M}, {@code 1048576}: bytes, or 0 when malformed. */
    static long parseSize(String text) {
        if (text.isEmpty()) return 0;
        char unit = Character.toUpperCase(text.charAt(text.length() - 1));
        long scale = unit == 'K' ? 1 << 10 : unit == 'M' ? 1 << 20 : unit == 'G' ? 1 << 30 : 1;
        String digits = scale == 1 ? text : text.substring(0, text.length() - 1);
        try {
            long v = Long.parseLong(digits);
            return v > 0 && v < (1L << 40) / scale ? v * scale : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
