package dev.keyless.testkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes projected service account token: {@code sub} {@code system:serviceaccount:NS:NAME} and the
 * nested {@code kubernetes.io} claim (namespace, serviceaccount, pod, node, each with a uid).
 *
 * <p>By default: service account {@code default/default}, pod {@code app-0} on node {@code node-1},
 * {@code aud} {@code ["https://kubernetes.default.svc"]} (always an array, as the API server writes it),
 * a 1-hour lifetime. For IRSA, set {@code audience("sts.amazonaws.com")}.
 */
public final class KubernetesTokenBuilder extends TokenBuilder<KubernetesTokenBuilder> {
    private String namespace = "default";
    private String serviceAccount = "default";
    private String pod = "app-0";
    private String node = "node-1";

    KubernetesTokenBuilder(LocalIssuer issuer) {
        super(issuer, Duration.ofHours(1));
    }

    /** The service account and its namespace. */
    public KubernetesTokenBuilder serviceAccount(String namespace, String name) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.serviceAccount = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The pod the token is bound to. */
    public KubernetesTokenBuilder pod(String pod) {
        this.pod = Objects.requireNonNull(pod, "pod");
        return this;
    }

    /** The node the pod runs on. */
    public KubernetesTokenBuilder node(String node) {
        this.node = Objects.requireNonNull(node, "node");
        return this;
    }

    @Override
    List<String> defaultAudience() {
        return List.of("https://kubernetes.default.svc");
    }

    @Override
    boolean audienceAlwaysArray() {
        return true;
    }

    @Override
    String defaultSubject() {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    @Override
    void providerClaims(Map<String, Object> c) {
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", namespace);
        k8s.put("node", named(node, "node:" + node));
        k8s.put("pod", named(pod, "pod:" + namespace + "/" + pod));
        k8s.put("serviceaccount", named(serviceAccount, "sa:" + namespace + "/" + serviceAccount));
        c.put("kubernetes.io", k8s);
    }

    private static Map<String, Object> named(String name, String seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("uid", Ids.uuid(seed));
        return m;
    }
}
