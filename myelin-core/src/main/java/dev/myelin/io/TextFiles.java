package dev.myelin.io;

import dev.myelin.backend.MemoryCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads text files as strict UTF-8, with errors a person can act on: a file that is not UTF-8 (a Latin-1
 * CSV, a binary file given as text) is refused naming the file, the byte offset, the line and the byte
 * found, instead of the JDK's bare {@code MalformedInputException: Input length = 1}; a file too large for
 * the memory left is refused before it is read.
 *
 * <p>Example:
 * <pre>{@code
 * String text = TextFiles.readUtf8(Path.of("data/text/genesis.txt"));
 * }</pre>
 */
public final class TextFiles {
    private TextFiles() {}

    /** The whole file decoded as UTF-8 (a leading byte-order mark is kept; callers strip it if they wish). */
    public static String readUtf8(Path file) throws IOException {
        return readUtf8(file, MemoryCheck.MAX_ARRAY_LENGTH);
    }

    /**
     * The whole file decoded as UTF-8, refused when it holds more than {@code maxBytes} bytes (a model file
     * that is really a data set, say) or is not a regular file ({@code /dev/zero} never ends).
     */
    public static String readUtf8(Path file, long maxBytes) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException(file + ": not a regular file" + (Files.isDirectory(file) ? " (a folder)" : "") + "; expected a text file");
        }
        long size = Files.size(file);
        long limit = Math.min(maxBytes, MemoryCheck.MAX_ARRAY_LENGTH);
        if (size > limit) {
            throw new IOException(file + ": " + MemoryCheck.bytes(size) + " is too large for this text (at most " + MemoryCheck.bytes(limit) + ")");
        }
        // bytes, then up to two bytes per char
        String shortfall = MemoryCheck.shortfall(file + ": reading " + MemoryCheck.bytes(size) + " of text", 3 * size);
        if (shortfall != null) throw new IOException(shortfall);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) limit + (limit < Integer.MAX_VALUE ? 1 : 0)); // grows with what arrives
        }
        if (bytes.length > limit) throw new IOException(file + ": grew past " + MemoryCheck.bytes(limit) + " while being read");
        return decodeUtf8(file, bytes);
    }

    /**
     * {@code bytes} decoded as strict UTF-8.
     *
     * @throws IOException naming {@code source}, the byte offset, the line and the offending byte
     */
    public static String decodeUtf8(Path source, byte[] bytes) throws IOException {
        return decodeUtf8(source.toString(), bytes);
    }

    /**
     * {@code bytes} decoded as strict UTF-8; {@code source} names a file or a zip entry in messages.
     *
     * @throws FileFormatException naming {@code source}, the byte offset, the line and the offending byte
     */
    public static String decodeUtf8(String source, byte[] bytes) throws FileFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new FileFormatException(String.format(Locale.ROOT,
                    "%s: not UTF-8 text: byte 0x%02x at offset %d (line %d) is not valid UTF-8; save the file as UTF-8"
                            + " (for example: iconv -f latin1 -t utf-8 in.csv > out.csv)", source, bytes[at] & 0xFF, at, line));
        }
        return out.flip().toString();
    }
}
