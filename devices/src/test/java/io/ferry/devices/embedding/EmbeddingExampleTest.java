package io.ferry.devices.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.engine.coordinator.MigrationInfo;
import io.ferry.engine.coordinator.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddingExampleTest {

  @Test
  void theEmbeddingExampleMigratesItsOwnDeviceBetweenTwoApplications() throws Exception {
    MigrationInfo info = EmbeddingExample.run();
    assertEquals(MigrationStatus.COMPLETED, info.status(), info.error());
    assertTrue(info.succeeded(), info.devices().toString());
    assertEquals("register-file", info.devices().get(0).kind());
    assertEquals(4096, info.devices().get(0).sourceDigest().stateBytes());
  }

  @Test
  void docsEmbeddingMdShowsTheExampleAsItIs() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    Path source = root.resolve(
        "src/test/java/io/ferry/devices/embedding/EmbeddingExample.java");
    Path docs = root.resolve("../docs/embedding.md").normalize();
    String example = Files.readString(source);
    String page = Files.readString(docs);
    assertTrue(page.contains(example.strip()),
        "docs/embedding.md must contain EmbeddingExample.java verbatim; copy it again");
  }
}
