package dev.myelin.keras;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.io.FileFormatException;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens HDF5 bytes with jHDF after checking them against the superblock: jHDF opens a truncated file and
 * fails later, on the first dataset read past the end, so the end-of-file address the superblock declares
 * must lie within the bytes before anything else is read.
 *
 * <p>Superblock layout (HDF5 format spec, section II.A): the 8-byte signature {@code \211HDF\r\n\032\n} at
 * offset 0, 512, 1024, ... (after a user block); version 0/1 keep the sizes of offsets at byte 13 and the
 * base, free-space, end-of-file addresses from byte 24 (version 0) or 28 (version 1); version 2/3 keep the
 * size of offsets at byte 9 and the base, extension, end-of-file addresses from byte 12.
 */
final class Hdf5Files {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private Hdf5Files() {}

    /** Whether {@code head} starts with the HDF5 signature. */
    static boolean isHdf5(byte[] head) {
        return startsWith(head, 0);
    }

    /** Reads a whole HDF5 file into memory after checking its size. */
    static byte[] readFile(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MemoryCheck.MAX_ARRAY_LENGTH) throw new FileFormatException(file + ": too large to import (" + MemoryCheck.bytes(size) + ")");
        MemoryCheck.requireAvailable(file.toString(), size);
        return Files.readAllBytes(file);
    }

    /**
     * An open HDF5 file over {@code bytes}, after checking that the superblock's end-of-file address lies
     * within them. {@code where} names the file (and zip entry) in messages.
     */
    static HdfFile open(byte[] bytes, String where) throws FileFormatException {
        checkSuperblock(bytes, where);
        try {
            return HdfFile.fromBytes(bytes);
        } catch (RuntimeException e) {
            throw new FileFormatException(where + ": not a readable HDF5 file (" + e.getMessage() + ")", e);
        }
    }

    /** A part of an open HDF5 file, read by jHDF, which reads lazily and so may fail on any access. */
    @FunctionalInterface
    interface Read<T> {
        T get();
    }

    /**
     * The result of {@code read}; jHDF's failures (its {@link HdfException}s, or any unchecked exception a
     * damaged file provokes) become a {@link FileFormatException} naming the file ({@code where}), what was
     * being read ({@code what}, e.g. "the attribute 'model_config'") and jHDF's own words.
     */
    static <T> T read(String where, String what, Read<T> read) throws FileFormatException {
        try {
            return read.get();
        } catch (RuntimeException e) { // HdfException mostly; a damaged file can provoke others inside jHDF
            throw new FileFormatException(where + ": damaged HDF5 file: cannot read " + what + " (" + describe(e) + ")", e);
        }
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && !e.getCause().getMessage().equals(message)) {
            message = (message == null ? "" : message + ": ") + e.getCause().getMessage();
        }
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /**
     * The node at the relative {@code path} ({@code a/b/c}) under {@code group}, or null when a part is missing;
     * walked child by child, because jHDF's {@code getByPath} reports a missing path in an in-memory file with
     * an unrelated exception ("No backing file").
     */
    static Node child(Group group, String path) {
        Node node = group;
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            if (!(node instanceof Group g)) return null;
            node = g.getChildren().get(part);
            if (node == null) return null;
        }
        return node;
    }

    static void checkSuperblock(byte[] b, String where) throws FileFormatException {
        long at = -1;
        for (long offset = 0; offset + SIGNATURE.length <= b.length; offset = offset == 0 ? 512 : offset * 2) {
            if (startsWith(b, (int) offset)) {
                at = offset;
                break;
            }
        }
        if (at < 0) throw new FileFormatException(where + ": not an HDF5 file (no HDF5 signature found)");
        int s = (int) at;
        if (b.length < s + 12) throw new FileFormatException(where + ": HDF5 superblock is truncated (" + b.length + " bytes)");
        int version = b[s + 8] & 0xff;
        int offsetSize;
        int addresses;
        switch (version) {
            case 0, 1 -> {
                offsetSize = b.length > s + 13 ? b[s + 13] & 0xff : 0;
                addresses = s + (version == 0 ? 24 : 28);
            }
            case 2, 3 -> {
                offsetSize = b[s + 9] & 0xff;
                addresses = s + 12;
            }
            default -> throw new FileFormatException(where + ": HDF5 superblock version " + version + " is not supported (expected 0 to 3)");
        }
        if (offsetSize != 2 && offsetSize != 4 && offsetSize != 8) {
            throw new FileFormatException(where + ": HDF5 superblock declares offsets of " + offsetSize + " bytes (expected 2, 4 or 8)");
        }
        if (b.length < addresses + 3L * offsetSize) throw new FileFormatException(where + ": HDF5 superblock is truncated (" + b.length + " bytes)");
        long base = readAddress(b, addresses, offsetSize);
        long endOfFile = readAddress(b, addresses + 2 * offsetSize, offsetSize);
        if (base < 0 || endOfFile < 0 || base > Long.MAX_VALUE - endOfFile) {
            throw new FileFormatException(where + ": HDF5 superblock holds an invalid base or end-of-file address");
        }
        if (base + endOfFile > b.length) {
            throw new FileFormatException(where + ": HDF5 file is truncated: its superblock declares " + (base + endOfFile)
                    + " bytes but there are " + b.length);
        }
    }

    private static long readAddress(byte[] b, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xff);
        return v;
    }

    private static boolean startsWith(byte[] b, int at) {
        if (b.length < at + SIGNATURE.length) return false;
        for (int i = 0; i < SIGNATURE.length; i++) if (b[at + i] != SIGNATURE[i]) return false;
        return true;
    }
}
