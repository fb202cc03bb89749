/**
 * Maestro as a LangChain4j model: {@link dev.maestro.langchain4j.MaestroChatModel} and
 * {@link dev.maestro.langchain4j.MaestroStreamingChatModel} answer chat requests with a {@link dev.maestro.runtime.Maestro}
 * runtime, so AI Services can use it; {@link dev.maestro.langchain4j.MaestroChatResponseMetadata} carries the
 * {@link dev.maestro.langchain4j.Ledger} of each answer. Depends on maestro-core and langchain4j-core only.
 */
package dev.maestro.langchain4j;
