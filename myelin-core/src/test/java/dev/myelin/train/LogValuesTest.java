package dev.myelin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluation and History print as Keras prints logs, not as raw records with 16-digit numbers. */
class LogValuesTest {
    @Test
    void evaluationReadsLikeKeras() {
        var values = new LinkedHashMap<String, Double>();
        values.put("loss", 0.43551234567);
        values.put("accuracy", 0.848);
        assertEquals("loss: 0.4355 - accuracy: 0.8480", new Evaluation(values, null).toString());
    }

    @Test
    void historyShowsFirstAndLastPerKey() {
        History h = new History();
        h.onEpochEnd(0, new LinkedHashMap<>(Map.of("loss", 2.30123456)));
        h.onEpochEnd(1, new LinkedHashMap<>(Map.of("loss", 0.000012345)));
        assertEquals("History(2 epochs): loss 2.3012 -> 1.2345e-05", h.toString());
        History one = new History();
        one.onEpochEnd(0, new LinkedHashMap<>(Map.of("loss", 1.0)));
        assertEquals("History(1 epoch): loss 1.0000", one.toString());
        assertEquals("NaN", LogValues.format(Double.NaN));
    }
}
