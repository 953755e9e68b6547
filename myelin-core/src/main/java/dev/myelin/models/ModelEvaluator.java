package dev.myelin.models;

import dev.myelin.metrics.ConfusionMatrix;
import dev.myelin.metrics.Metric;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Evaluator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluation pass of a compiled {@link Model}: the compiled loss, fresh copies of each output's
 * metrics and, for one output holding a distribution over two or more classes ({@code [batch, C]}), a
 * confusion matrix. The metrics and the matrix are created on the first batch, from its predictions.
 */
final class ModelEvaluator implements Evaluator {
    private final Model model;
    private final List<List<Metric>> metrics = new ArrayList<>();
    private ConfusionMatrix confusion;

    ModelEvaluator(Model model) {
        this.model = model;
    }

    @Override
    public double testStep(List<Tensor> xs, List<Tensor> ys) {
        List<Tensor> predictions = model.inferenceCall(xs);
        if (metrics.isEmpty()) {
            for (int i = 0; i < model.outputs().size(); i++) metrics.add(model.metrics(i).stream().map(Metric::fresh).toList());
            Tensor p0 = predictions.get(0);
            if (model.outputs().size() == 1 && p0.rank() == 2 && p0.dim(1) >= 2) confusion = new ConfusionMatrix(p0.dim(1));
        }
        double loss = model.totalLoss(ys, predictions).item();
        for (int i = 0; i < metrics.size(); i++) for (Metric m : metrics.get(i)) m.update(ys.get(i), predictions.get(i));
        if (confusion != null) confusion.update(ys.get(0), predictions.get(0));
        return loss;
    }

    @Override
    public Map<String, Double> metricResults() {
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < metrics.size(); i++) for (Metric m : metrics.get(i)) values.put(model.metricLogName(i, m), m.result());
        return values;
    }

    @Override
    public ConfusionMatrix confusionMatrix() {
        return confusion;
    }
}
