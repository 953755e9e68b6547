package dev.myelin.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextVectorizerLimitsTest {
    @Test
    void hugeSequenceLengthIsRefusedAtTheSetter() {
        var ex = assertThrows(IllegalArgumentException.class, () -> new TextVectorizer().sequenceLength(2_000_000_000));
        assertTrue(ex.getMessage().contains("sequenceLength 2000000000") && ex.getMessage().contains(String.valueOf(TextVectorizer.MAX_SEQUENCE_LENGTH)),
                ex.getMessage());
    }

    @Test
    void longestAcceptedLengthStillVectorizes() {
        var v = new TextVectorizer().sequenceLength(TextVectorizer.MAX_SEQUENCE_LENGTH);
        v.adapt(List.of("a b c"));
        assertEquals(TextVectorizer.MAX_SEQUENCE_LENGTH, v.vectorize(List.of("a b")).dim(1));
    }
}
