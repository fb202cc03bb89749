package dev.maestro.expert;

import dev.maestro.testkit.FakeOpenAiServer;
import dev.maestro.testkit.FakeOpenAiServer.Reply;

/**
 * Replies of an endpoint that misbehaves the way the outside attack did (hardening issue, findings C, D and E), for
 * a {@link FakeOpenAiServer}: besides {@link Reply#hang}, {@link Reply#huge} and {@link Reply#hugeChunked}, a
 * completion trickled one byte at a time and a well-formed 200 completion echoing the request's Authorization header.
 */
public final class HostileReplies {
    private HostileReplies() {
    }

    /** A normal completion. */
    public static Reply ok() {
        return Reply.ok("The answer is 42. <answer>42</answer>", 10, 5);
    }

    /** 200 and a small completion, one byte every {@code msPerByte}. */
    public static Reply trickle(long msPerByte) {
        return Reply.trickle(FakeOpenAiServer.completion("slow ".repeat(40) + "<answer>1</answer>", 10, 5), msPerByte);
    }

    /** 200 and a completion "Your key is AUTHORIZATION &lt;answer&gt;1&lt;/answer&gt;". */
    public static Reply echoKey() {
        return Reply.ok("Your key is {AUTH} <answer>1</answer>", 10, 5);
    }
}
