package dev.myelin.io;

import java.io.IOException;

/**
 * A file that is not what its format requires: truncated, malformed, inconsistent, or larger than the
 * limits a reader allows. The message names the file (or entry) and what was expected, so that a user can
 * tell a damaged download from a wrong path; nothing of such a file is ever half-applied.
 *
 * <p>Example: {@code model.safetensors: tensor 'dense/kernel' needs 1,024 bytes for F32 [16, 16] but its
 * offsets span 1,000}.
 */
public class FileFormatException extends IOException {
    public FileFormatException(String message) {
        super(message);
    }

    public FileFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
