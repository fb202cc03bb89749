package dev.maestro.registry;

import static dev.maestro.registry.RegistryLoaderTest.ENV;
import static dev.maestro.registry.RegistryLoaderTest.reader;
import static dev.maestro.registry.RegistryLoaderTest.validRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code {conversation}} is a valid SKILL.md placeholder (the earlier turns of a served chat). */
class ConversationPlaceholderTest {
    @Test
    void should_accept_the_conversation_placeholder_in_a_template(@TempDir Path tmp) throws IOException {
        Path dir = validRegistry(tmp);
        Files.createDirectories(dir.resolve("skills/follow-up"));
        Files.writeString(dir.resolve("skills/follow-up/SKILL.md"), """
                ---
                name: follow-up
                level: 1
                description: answers a follow-up in the context of the conversation
                ---
                Conversation so far:
                {conversation}

                Answer the last request: {input}
                """);

        Registry r = reader(ENV).load(dir);

        assertThat(r.skill("follow-up").orElseThrow().template()).contains("{conversation}");
    }
}
