/**
 * Token sources: where a job's OIDC identity token comes from (GitHub Actions, files, environment
 * variables, commands, URLs, Azure Pipelines, the Google metadata server, a corporate IdP), and
 * {@link dev.keyless.core.source.TokenSources#detect()}, which finds the one that is here.
 */
package dev.keyless.core.source;
