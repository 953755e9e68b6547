package dev.myelin.io;

import dev.myelin.backend.MemoryCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The zip container of model and training-state files, as Keras's {@code .keras}: named entries stored uncompressed (so that
 * weights could be read in place), written atomically. Reading looks up the entries it knows by their fixed
 * names and never extracts anything to disk; each entry's size is checked against its limit and the memory
 * available before it is read, and its CRC-32 is checked after, so that a flipped bit in the weights is
 * refused rather than loaded.
 */
public final class ZipArchive {
    private ZipArchive() {}

    /** Writes {@code entries} (name to bytes, in order) as a zip of stored entries, atomically. */
    public static void write(Path file, Map<String, byte[]> entries) throws IOException {
        write(file, entries, false);
    }

    /**
     * Writes {@code entries} (name to bytes, in order) as a zip, atomically: stored, or with {@code deflate}
     * compressed (smaller for data with many repeated bytes, such as pruned weights; {@link #read} reads both).
     */
    public static void write(Path file, Map<String, byte[]> entries, boolean deflate) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (var e : entries.entrySet()) {
                byte[] bytes = e.getValue();
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(deflate ? ZipEntry.DEFLATED : ZipEntry.STORED);
                entry.setSize(bytes.length);
                if (!deflate) entry.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                entry.setCrc(crc.getValue());
                entry.setTime(0); // the same model gives the same bytes
                zip.putNextEntry(entry);
                zip.write(bytes);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Reads the entries named in {@code limits} (name to the most bytes accepted) that the file has; absent
     * ones are absent from the result (the caller decides which are required).
     *
     * @throws FileFormatException when the file is not a zip, an entry exceeds its limit, is compressed with
     *     something other than deflate/store, or fails its CRC
     */
    public static Map<String, byte[]> read(Path file, Map<String, Long> limits) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
            throw new IOException(file + " is not a regular file (a folder?)");
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (var limit : limits.entrySet()) {
                ZipEntry entry = zip.getEntry(limit.getKey());
                if (entry == null || entry.isDirectory()) continue;
                out.put(limit.getKey(), readEntry(file, zip, entry, limit.getValue()));
            }
        } catch (ZipException e) {
            throw new FileFormatException(file + ": not a readable model file (a zip archive was expected): " + e.getMessage(), e);
        } catch (IOException e) {
            if (e instanceof FileFormatException) throw e;
            // an entry whose stored sizes were damaged ends early: an EOFException without a message
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName() + " (an entry is shorter than its header says)";
            throw new FileFormatException(file + ": cannot be read as a model file: " + why, e);
        } catch (RuntimeException e) { // the JDK's zip reader signals some malformed headers unchecked
            throw new FileFormatException(file + ": damaged zip structure (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        return out;
    }

    private static byte[] readEntry(Path file, ZipFile zip, ZipEntry entry, long limit) throws IOException {
        String where = file + ": entry '" + entry.getName() + "'";
        long declared = entry.getSize();
        if (declared > limit) throw new FileFormatException(where + " declares " + declared + " bytes, more than the " + limit + " accepted");
        long cap = declared >= 0 ? declared : limit;
        if (cap > MemoryCheck.MAX_ARRAY_LENGTH) throw new FileFormatException(where + " is too large to read (" + cap + " bytes)");
        String shortfall = MemoryCheck.shortfall(where, cap);
        if (shortfall != null) throw new IOException(shortfall);
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) cap);
            if (in.read() != -1) throw new FileFormatException(where + " holds more bytes than its header declares (" + cap + ")");
        }
        if (declared >= 0 && bytes.length != declared) {
            throw new FileFormatException(where + " is truncated: " + bytes.length + " of " + declared + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new FileFormatException(where + " is damaged: its CRC-32 does not match its contents");
        }
        return bytes;
    }
}
