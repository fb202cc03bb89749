package dev.maestro.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ChatResponseMetadata} with Maestro's {@link Ledger}: read it from an AI Service's {@code Result} as
 * {@code ((MaestroChatResponseMetadata) result.finalResponse().metadata()).ledger()}, or with {@link #ledgerOf}.
 */
public final class MaestroChatResponseMetadata extends ChatResponseMetadata {
    private final Ledger ledger;

    private MaestroChatResponseMetadata(Builder b) {
        super(b);
        this.ledger = Objects.requireNonNull(b.ledger, "ledger");
    }

    /** The calls, cost, latency and pairs behind the answer. */
    public Ledger ledger() {
        return ledger;
    }

    /** The ledger of a response from a Maestro model, if it is one. */
    public static Optional<Ledger> ledgerOf(ChatResponse response) {
        return response.metadata() instanceof MaestroChatResponseMetadata m ? Optional.of(m.ledger())
                : Optional.empty();
    }

    /** Keeps the ledger when LangChain4j rebuilds the metadata. */
    @Override
    public Builder toBuilder() {
        return (Builder) toBuilder(new Builder().ledger(ledger));
    }

    static Builder maestroBuilder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaestroChatResponseMetadata m && super.equals(o) && ledger.equals(m.ledger);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + ledger.hashCode();
    }

    @Override
    public String toString() {
        return "MaestroChatResponseMetadata{" + super.toString() + ", ledger=" + ledger + "}";
    }

    static final class Builder extends ChatResponseMetadata.Builder<Builder> {
        private Ledger ledger;

        Builder ledger(Ledger v) {
            this.ledger = v;
            return this;
        }

        @Override
        public MaestroChatResponseMetadata build() {
            return new MaestroChatResponseMetadata(this);
        }
    }
}
