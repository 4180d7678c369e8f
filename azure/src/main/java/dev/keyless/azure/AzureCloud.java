package dev.keyless.azure;

import dev.keyless.core.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An Entra ID cloud: where tokens are exchanged (the authority host) and the audience a federated identity token must
 * carry there by default.
 *
 * <table>
 *   <caption>Known clouds</caption>
 *   <tr><th>cloud</th><th>authority host</th><th>default assertion audience</th></tr>
 *   <tr><td>{@link #PUBLIC}</td><td>https://login.microsoftonline.com</td><td>api://AzureADTokenExchange</td></tr>
 *   <tr><td>{@link #CHINA}</td><td>https://login.chinacloudapi.cn</td><td>api://AzureADTokenExchangeChina</td></tr>
 *   <tr><td>{@link #US_GOVERNMENT}</td><td>https://login.microsoftonline.us</td><td>api://AzureADTokenExchangeUSGov</td></tr>
 * </table>
 *
 * <p>A {@linkplain #custom(String) custom} authority host (Azure Stack, a private endpoint, the Keyless testkit) uses
 * the public audience unless told otherwise, and disables MSAL's instance discovery, which only knows the public hosts.
 * Immutable.
 */
public final class AzureCloud {
    /** Azure public cloud. */
    public static final AzureCloud PUBLIC = new AzureCloud("public", URI.create("https://login.microsoftonline.com"),
            "api://AzureADTokenExchange", true);
    /** Azure operated by 21Vianet (China). */
    public static final AzureCloud CHINA = new AzureCloud("china", URI.create("https://login.chinacloudapi.cn"),
            "api://AzureADTokenExchangeChina", true);
    /** Azure US Government. */
    public static final AzureCloud US_GOVERNMENT = new AzureCloud("us-government", URI.create("https://login.microsoftonline.us"),
            "api://AzureADTokenExchangeUSGov", true);

    private static final List<AzureCloud> KNOWN = List.of(PUBLIC, CHINA, US_GOVERNMENT);

    private final String name;
    private final URI authorityHost;
    private final String tokenExchangeAudience;
    private final boolean known;

    private AzureCloud(String name, URI authorityHost, String tokenExchangeAudience, boolean known) {
        this.name = name;
        this.authorityHost = authorityHost;
        this.tokenExchangeAudience = tokenExchangeAudience;
        this.known = known;
    }

    /** A custom authority host, with the public cloud's audience {@code api://AzureADTokenExchange}. */
    public static AzureCloud custom(String authorityHost) {
        return custom(authorityHost, PUBLIC.tokenExchangeAudience);
    }

    /**
     * A custom authority host and assertion audience.
     *
     * @throws ConfigurationException when the host is not an absolute https URL without path, query or fragment
     */
    public static AzureCloud custom(String authorityHost, String tokenExchangeAudience) {
        URI host = parseHost(authorityHost, "authorityHost");
        if (tokenExchangeAudience == null || tokenExchangeAudience.isBlank()) {
            throw ConfigurationException.badOption("audience", "it is empty",
                    "Pass the audience your federated identity credentials list, e.g. api://AzureADTokenExchange.");
        }
        return new AzureCloud("custom", host, tokenExchangeAudience.strip(), false);
    }

    /**
     * The cloud of an authority host, as {@code AZURE_AUTHORITY_HOST} gives it (a trailing slash is ignored): a known
     * cloud when the host is one, otherwise a custom one.
     */
    public static AzureCloud fromAuthorityHost(String authorityHost) {
        URI host = parseHost(authorityHost, "AZURE_AUTHORITY_HOST");
        for (AzureCloud c : KNOWN) {
            if (c.authorityHost.equals(host)) {
                return c;
            }
        }
        return new AzureCloud("custom", host, PUBLIC.tokenExchangeAudience, false);
    }

    private static URI parseHost(String value, String option) {
        Objects.requireNonNull(value, option);
        String v = value.strip();
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw ConfigurationException.badOption(option, "'" + value + "' is not a URL",
                    "Set " + option + " to an https URL such as https://login.microsoftonline.com.");
        }
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        boolean bare = (uri.getPath() == null || uri.getPath().isEmpty()) && uri.getQuery() == null && uri.getFragment() == null;
        if (!https || uri.getHost() == null || !bare) {
            throw ConfigurationException.badOption(option, "'" + value + "' is not an https URL of a host alone",
                    "Set " + option + " to the authority host only, e.g. https://login.microsoftonline.com (Entra and MSAL "
                            + "require https; the tenant is configured separately).");
        }
        return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT));
    }

    /** {@code public}, {@code china}, {@code us-government} or {@code custom}. */
    public String name() {
        return name;
    }

    /** The authority host, e.g. {@code https://login.microsoftonline.com}, without a trailing slash. */
    public URI authorityHost() {
        return authorityHost;
    }

    /** The audience federated identity tokens carry by default in this cloud, e.g. {@code api://AzureADTokenExchange}. */
    public String tokenExchangeAudience() {
        return tokenExchangeAudience;
    }

    /** Whether this is one of the clouds MSAL knows (and can run instance discovery for). */
    public boolean isKnown() {
        return known;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AzureCloud)) {
            return false;
        }
        AzureCloud c = (AzureCloud) o;
        return name.equals(c.name) && authorityHost.equals(c.authorityHost) && tokenExchangeAudience.equals(c.tokenExchangeAudience);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, authorityHost, tokenExchangeAudience);
    }

    @Override
    public String toString() {
        return "AzureCloud{" + name + ", " + authorityHost + ", audience=" + tokenExchangeAudience + "}";
    }
}
