/**
 * Fixtures shared by the tests of every module, used in test scope only: {@link
 * dev.maestro.testkit.FakeOpenAiServer}, the one fake OpenAI-compatible endpoint (JDK HttpServer on 127.0.0.1),
 * whose behaviour a test scripts with {@link dev.maestro.testkit.FakeOpenAiServer.Reply}s or a
 * {@link dev.maestro.testkit.FakeOpenAiServer.Responder}. It depends on nothing of Maestro.
 */
package dev.maestro.testkit;
