package dev.keyless.testkit.internal.aws;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The XML documents of the STS Query API (namespace https://sts.amazonaws.com/doc/2011-06-15/). */
public final class StsXml {
    public static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    private final StringBuilder sb = new StringBuilder();

    private StsXml() {
    }

    /** Starts a {@code <ActionResponse><ActionResult>} document. */
    public static StsXml response(String action) {
        StsXml x = new StsXml();
        x.sb.append("<").append(action).append("Response xmlns=\"").append(NAMESPACE).append("\">\n");
        x.sb.append("  <").append(action).append("Result>\n");
        return x;
    }

    public StsXml element(String indent, String name, String value) {
        if (value != null) {
            sb.append(indent).append('<').append(name).append('>').append(escape(value))
                    .append("</").append(name).append(">\n");
        }
        return this;
    }

    public StsXml open(String indent, String name) {
        sb.append(indent).append('<').append(name).append(">\n");
        return this;
    }

    public StsXml close(String indent, String name) {
        sb.append(indent).append("</").append(name).append(">\n");
        return this;
    }

    /** Ends the result, adds ResponseMetadata and ends the document. */
    public String finish(String action, String requestId) {
        sb.append("  </").append(action).append("Result>\n");
        sb.append("  <ResponseMetadata>\n    <RequestId>").append(requestId).append("</RequestId>\n");
        sb.append("  </ResponseMetadata>\n");
        sb.append("</").append(action).append("Response>\n");
        return sb.toString();
    }

    /** The {@code <ErrorResponse>} document. */
    public static String error(StsError e, String requestId) {
        return "<ErrorResponse xmlns=\"" + NAMESPACE + "\">\n"
                + "  <Error>\n"
                + "    <Type>" + e.type() + "</Type>\n"
                + "    <Code>" + escape(e.code()) + "</Code>\n"
                + "    <Message>" + escape(e.getMessage()) + "</Message>\n"
                + "  </Error>\n"
                + "  <RequestId>" + requestId + "</RequestId>\n"
                + "</ErrorResponse>\n";
    }

    /** ISO-8601 in whole seconds, as STS writes {@code Expiration}. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    public static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '&': out.append("&amp;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&apos;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }
}
