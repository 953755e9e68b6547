package dev.myelin.io;

/** Malformed JSON text ({@code line:column: what}) or a value that JSON cannot hold. */
public final class JsonException extends IllegalArgumentException {
    public JsonException(String message) {
        super(message);
    }
}
