package dev.myelin.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.io.Json;
import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Legacy Keras 1/2 configs become models Myelin builds, with the same layers, names, sizes and graph. */
class LegacyConfigTest {
    private static Model build(String modelConfig, String trainingConfig) {
        Object training = trainingConfig == null ? null : Json.parse(trainingConfig);
        return Model.fromJson(Json.write(LegacyConfig.model(Json.parse(modelConfig), training)));
    }

    @Test
    void keras1DenseNamesAndBatchInputShapeBecomeKeras3Ones() {
        Model model = build("""
                {"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 3,
                 "init": "glorot_uniform", "bias": true, "W_regularizer": null, "b_regularizer": null, "W_constraint": null,
                 "b_constraint": null, "activity_regularizer": null, "activation": "relu", "trainable": true, "input_dim": 4,
                 "input_dtype": "float32", "batch_input_shape": [32, 4]}},
                 {"class_name": "LeakyReLU", "config": {"name": "leaky", "trainable": true, "alpha": 0.25}}]}
                """, null);
        Sequential seq = assertInstanceOf(Sequential.class, model);
        Dense dense = assertInstanceOf(Dense.class, seq.layer("dense_1"));
        assertEquals(Shape.of(4, 3), dense.weights().get(0).value().shape());
        assertEquals(2, dense.weights().size(), "bias: true became use_bias");
        LeakyReLU leaky = assertInstanceOf(LeakyReLU.class, seq.layer("leaky"));
        assertEquals(0.25, leaky.config().negativeSlope(), 0.0);
        assertEquals(Shape.of(5, 3), model.predict(Tensor.zeros(5, 4)).shape(), "the fixed batch size 32 was dropped");
    }

    @Test
    void keras2FunctionalModelKeepsItsGraphAndTrainingConfig() {
        Model model = build("""
                {"class_name": "Model", "config": {"name": "model_1", "layers": [
                  {"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32",
                   "sparse": false, "name": "input_1"}, "inbound_nodes": []},
                  {"name": "dense_1", "class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "units": 3,
                   "activation": "linear", "use_bias": true, "kernel_initializer": {"class_name": "VarianceScaling",
                   "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "normal", "seed": null}}},
                   "inbound_nodes": [[["input_1", 0, 0, {}]]]},
                  {"name": "dense_2", "class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "units": 3},
                   "inbound_nodes": [[["input_1", 0, 0, {}]]]},
                  {"name": "add_1", "class_name": "Add", "config": {"name": "add_1", "trainable": true},
                   "inbound_nodes": [[["dense_1", 0, 0, {}], ["dense_2", 0, 0, {}]]]}],
                 "input_layers": [["input_1", 0, 0]], "output_layers": [["add_1", 0, 0]]}}
                """, """
                {"optimizer_config": {"class_name": "Adam", "config": {"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0,
                 "epsilon": 1e-07, "amsgrad": false}}, "loss": "mse", "metrics": ["mae"]}
                """);
        assertEquals(List.of("dense_1", "dense_2", "add_1"), model.layers().stream().map(l -> l.name()).toList());
        assertInstanceOf(Add.class, model.layer("add_1"));
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        Tensor y = model.predict(x);
        Tensor sum = model.layer("dense_1").call(x, false).add(model.layer("dense_2").call(x, false));
        assertEquals(0.0, Fixtures.maxAbsDiff(y, sum), 1e-6, "add_1 sums both Dense outputs");
        assertTrue(model.isCompiled());
        assertEquals(0.01, model.optimizer().learningRate(), 1e-9, "lr became learning_rate");
    }

    private static final String HARD_SIGMOID_LSTM = """
            {"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": {"name": "lstm_1", "output_dim": 4,
             "inner_activation": "hard_sigmoid", "activation": "tanh", "consume_less": "cpu", "return_sequences": true,
             "batch_input_shape": [null, 3, 2]}},
             {"class_name": "Activation", "config": {"name": "gate", "activation": "hard_sigmoid"}},
             {"class_name": "LSTM", "config": {"name": "lstm_2", "units": 2, "recurrent_activation": "hard_sigmoid", "implementation": 2}}]}
            """;

    @Test
    void hardSigmoidOfKeras1And2IsTheLegacyOneUnlessKeras3WroteTheFile() {
        Model legacy = Model.fromJson(Json.write(LegacyConfig.model(Json.parse(HARD_SIGMOID_LSTM), null)));
        assertEquals(Activation.LEGACY_HARD_SIGMOID, ((LSTM) legacy.layer("lstm_1")).recurrentActivation(), "Keras 1 inner_activation");
        assertEquals(Activation.LEGACY_HARD_SIGMOID, ((LSTM) legacy.layer("lstm_2")).recurrentActivation(), "Keras 2 recurrent_activation");
        assertEquals(Activation.LEGACY_HARD_SIGMOID, ((ActivationLayer) legacy.layer("gate")).activation());
        Model keras3 = Model.fromJson(Json.write(LegacyConfig.model(Json.parse(HARD_SIGMOID_LSTM), null, true)));
        assertEquals(Activation.HARD_SIGMOID, ((LSTM) keras3.layer("lstm_1")).recurrentActivation());
        assertEquals(Activation.HARD_SIGMOID, ((ActivationLayer) keras3.layer("gate")).activation());
    }

    @Test
    void aGruWithoutResetAfterIsKeras2sResetBeforeCell() {
        String gru = """
                {"class_name": "Sequential", "config": [{"class_name": "GRU", "config": {"name": "gru_1", "output_dim": 4,
                 "inner_activation": "hard_sigmoid", "batch_input_shape": [null, 3, 2]}}]}
                """;
        GRU layer = (GRU) build(gru, null).layer("gru_1");
        assertFalse(layer.resetAfter(), "Keras 1 / early Keras 2 GRU: reset gate before the recurrent product");
        assertEquals(Activation.LEGACY_HARD_SIGMOID, layer.recurrentActivation());
        assertEquals(Shape.of(12), layer.bias().value().shape(), "one bias of 3·units");
    }
}
