package dev.keyless.core.internal;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Checks that a token or exchange endpoint is safe to send credentials to: https, or http on loopback only. */
public final class Endpoints {
    private Endpoints() {
    }

    /**
     * Parses and checks an endpoint URL.
     *
     * @param option the option or variable the URL came from, named in the error
     * @throws ConfigurationException when the URL is malformed, not absolute, or plain http to a non-loopback host
     */
    public static URI requireSafe(String url, String option) {
        if (url == null || url.isBlank()) {
            throw ConfigurationException.badOption(option, "it is empty", "Set " + option + " to an https:// URL.");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw ConfigurationException.badOption(option, "it is not a valid URL (" + e.getReason() + ")",
                    "Set " + option + " to an absolute https:// URL.");
        }
        return requireSafe(uri, option);
    }

    /** As {@link #requireSafe(String, String)}, for a parsed URI. */
    public static URI requireSafe(URI uri, String option) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw ConfigurationException.badOption(option, "it is not an absolute http(s) URL",
                    "Set " + option + " to an absolute https:// URL such as https://host/path.");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new ConfigurationException(Diagnosis.builder(
                            "Refusing to send credentials over plain http to " + uri.getHost() + " (" + option + ").")
                    .code("config.insecure-endpoint")
                    .likelyCause("The endpoint is configured with http:// instead of https://.")
                    .evidence("option", option)
                    .evidence("host", uri.getHost())
                    .fix("Use https:// for " + option + ". Plain http is allowed only for loopback addresses "
                            + "(localhost, 127.0.0.0/8, ::1), e.g. the Keyless testkit.")
                    .build());
        }
        return uri;
    }

    /** Whether a host name is a loopback address, decided without a DNS lookup for anything but "localhost". */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a DNS name: never resolved here, so a name cannot smuggle plain http to a remote host
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
