package dev.myelin.explain;

import java.util.List;
import java.util.Locale;

/**
 * Text attributions as an HTML snippet: each token in a {@code <span>} whose background is red for a
 * positive attribution and blue for a negative one, its opacity the attribution's size relative to the
 * largest in the text (Captum's {@code visualize_text} draws the same), and the value in a tooltip.
 * Token text is escaped ({@code & < > " '}), so any text is safe to embed in a page.
 */
public final class TokenHtml {
    private TokenHtml() {}

    /** The snippet for {@code tokens} and their {@code attributions} (one per token). */
    public static String of(List<String> tokens, double[] attributions) {
        if (tokens.size() != attributions.length) {
            throw new IllegalArgumentException("TokenHtml: " + tokens.size() + " tokens but " + attributions.length + " attributions");
        }
        double max = 0;
        for (double a : attributions) if (Double.isFinite(a)) max = Math.max(max, Math.abs(a));
        StringBuilder html = new StringBuilder("<div class=\"myelin-attribution\">");
        for (int i = 0; i < tokens.size(); i++) {
            double a = Double.isFinite(attributions[i]) ? attributions[i] : 0;
            double opacity = max > 0 ? Math.abs(a) / max : 0;
            String rgb = a >= 0 ? "220,38,38" : "37,99,235";
            html.append(String.format(Locale.ROOT, "<span style=\"background-color:rgba(%s,%.3f)\" title=\"%.4g\">", rgb, opacity, attributions[i]))
                    .append(escape(tokens.get(i))).append("</span>");
            if (i + 1 < tokens.size()) html.append(' ');
        }
        return html.append("</div>").toString();
    }

    /** {@code text} with the five HTML-special characters replaced by entities. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
