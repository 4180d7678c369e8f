package dev.keyless.cli;

import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.DetectionReport;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.core.source.TokenSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyless token}: which token a job would use, its claims, and (only on request) the raw value. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Show the identity token this job would use: where it comes from and its claims (never the value, unless --print-token).")
final class TokenCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--audience", description = "The audience to request (default: the source's own).")
    String audience;

    @Option(names = "--file", description = "Read the token from this file instead of detecting the source.")
    Path file;

    @Option(names = "--report", description = "Also list every source detection looked at.")
    boolean report;

    @Option(names = "--print-token", description = "Print the raw token on the last line. It is a credential: never in logs.")
    boolean printToken;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TokenSource source;
        if (file != null) {
            source = FileTokenSource.of(file);
        } else {
            DetectionReport r = TokenSources.report(environment);
            if (report) {
                out.println(r.render());
            }
            source = r.source();
        }
        IdentityToken token = source.token(audience == null ? TokenRequest.sourceDefault() : TokenRequest.forAudience(audience));
        out.println("source: " + source.name());
        for (Map.Entry<String, Object> claim : token.claims().entrySet()) {
            out.println("  " + claim.getKey() + ": " + claim.getValue());
        }
        token.remaining(clock).ifPresent(left -> out.println("expires in: " + left.toSeconds() + " s"));
        out.println("fingerprint: " + token.fingerprint());
        if (printToken) {
            out.println(token.value());
        }
        return 0;
    }
}
