package dev.myelin.text;

/**
 * GPT-2's reversible map between bytes and printable characters, which byte-level BPE files (GPT-2's
 * {@code vocab.json}, Hugging Face's {@code tokenizer.json}) use to spell tokens: the bytes that are
 * printable Latin-1 characters ({@code ! .. ~}, {@code ¡ .. ¬}, {@code ® .. ÿ}) stand for themselves, the
 * other 68 (controls, space, soft hyphen) become {@code U+0100 ..} in byte order, so space is {@code Ġ}
 * (U+0120) and newline {@code Ċ} (U+010A).
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The characters that spell {@code bytes}, one per byte. */
    static String spell(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }

    /** The bytes {@code token} spells, or null when one of its characters is not in the map. */
    static byte[] bytes(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < out.length; i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) return null;
            out[i] = (byte) CHAR_TO_BYTE[c];
        }
        return out;
    }
}
