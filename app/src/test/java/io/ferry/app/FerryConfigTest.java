package io.ferry.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryConfigTest {
  @TempDir Path dir;

  @Test
  void withoutAFileTheBuiltInDemoSettingsApply() {
    FerryConfig.Loaded loaded = FerryConfig.load(null, dir);
    assertEquals("built-in application.conf", loaded.origin());
    Config c = loaded.config();
    assertEquals(4, c.getInt("ferry.migration.multifd-channels"));
    assertEquals("0000:00:03.0/vfio", c.getConfigList("ferry.demo.devices").get(0).getString("id"));
    assertEquals(2L << 30,
        c.getConfigList("ferry.demo.devices").get(0).getBytes("model.size"));
  }

  @Test
  void theEngineDefaultsWinOverAkkasOwn() {
    Config c = FerryConfig.load(null, dir).config();
    assertEquals("remote", c.getString("akka.actor.provider"));
    assertEquals("akka.event.slf4j.Slf4jLogger", c.getStringList("akka.loggers").get(0));
    assertEquals(0, c.getInt("akka.remote.artery.canonical.port"));
  }

  @Test
  void applicationConfInTheWorkingDirectoryIsLayeredOverTheBuiltInOne() throws IOException {
    Files.writeString(dir.resolve("application.conf"), "ferry.migration.multifd-channels = 7\n");
    FerryConfig.Loaded loaded = FerryConfig.load(null, dir);
    assertEquals(dir.resolve("application.conf").toString(), loaded.origin());
    assertEquals(7, loaded.config().getInt("ferry.migration.multifd-channels"));
    assertEquals(3, loaded.config().getConfigList("ferry.demo.devices").size());
  }

  @Test
  void anExplicitFileWinsOverTheWorkingDirectory() throws IOException {
    Files.writeString(dir.resolve("application.conf"), "ferry.migration.multifd-channels = 7\n");
    Path mine =
        Files.writeString(dir.resolve("mine.conf"), "ferry.migration.multifd-channels = 9\n");
    assertEquals(9,
        FerryConfig.load(mine, dir).config().getInt("ferry.migration.multifd-channels"));
  }

  @Test
  void aMissingOrBrokenFileIsOneClearError() throws IOException {
    CliException missing = assertThrows(CliException.class,
        () -> FerryConfig.load(dir.resolve("nope.conf"), dir));
    assertTrue(missing.getMessage().contains("nope.conf does not exist"), missing.getMessage());
    Path broken = Files.writeString(dir.resolve("broken.conf"), "ferry { migration = \n");
    CliException parse = assertThrows(CliException.class, () -> FerryConfig.load(broken, dir));
    assertTrue(parse.getMessage().startsWith("invalid configuration: "), parse.getMessage());
  }
}
