package io.ferry.protocol.packet;

import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import io.ferry.protocol.ProtocolException;
import java.nio.ByteOrder;

/**
 * A main-channel command, QEMU_VM_COMMAND: a u16 command number and its data. Only the commands
 * Ferry uses exist; any other number, or a known number with the wrong data length, is rejected
 * here and therefore by the decoder.
 *
 * <pre>
 * command            number  data
 * PING                    2  be32 value (QEMU MIG_CMD_PING)
 * SWITCHOVER_START       11  none; "all pre-switchover main-channel data has been sent"
 *                            (QEMU MIG_CMD_SWITCHOVER_START, 5 bytes 08 00 0B 00 00 in QEMU)
 * SYNC              0x8000   be64 sequence; Ferry's sync marker (QEMU has no such command,
 *                            0x8000 is far above QEMU's numbers so the two never collide)
 * </pre>
 *
 * @param command the command number
 * @param data the command's data, of exactly the length the command requires
 */
public record Command(int command, ByteString data) implements MainRecord {

  /** QEMU MIG_CMD_PING: data is a be32 value the destination echoes on its return path. */
  public static final int PING = 2;

  /** QEMU MIG_CMD_SWITCHOVER_START: no data. */
  public static final int SWITCHOVER_START = 11;

  /** Ferry's sync marker: data is a be64 sequence number. */
  public static final int SYNC = 0x8000;

  private static final String RECORD = "Command";

  public Command {
    Fields.bytes(RECORD, "data", data);
    int required = requiredDataLength(command);
    if (data.size() != required) {
      throw new ProtocolException(
          RECORD,
          "data",
          required + " bytes for " + name(command),
          data.size() + " bytes");
    }
  }

  /** SWITCHOVER_START. */
  public static Command switchoverStart() {
    return new Command(SWITCHOVER_START, ByteString.emptyByteString());
  }

  /** SYNC carrying {@code sequence}. */
  public static Command sync(long sequence) {
    return new Command(
        SYNC, new ByteStringBuilder().putLong(sequence, ByteOrder.BIG_ENDIAN).result());
  }

  /** PING carrying {@code value}. */
  public static Command ping(int value) {
    return new Command(PING, new ByteStringBuilder().putInt(value, ByteOrder.BIG_ENDIAN).result());
  }

  /**
   * The data length a known command requires.
   *
   * @throws ProtocolException {@code Command.command} for an unknown command
   */
  public static int requiredDataLength(int command) {
    return switch (command) {
      case PING -> 4;
      case SWITCHOVER_START -> 0;
      case SYNC -> 8;
      default -> throw new ProtocolException(
          RECORD,
          "command",
          "one of 2 (PING), 11 (SWITCHOVER_START), 32768 (SYNC)",
          Integer.toString(command));
    };
  }

  /** The name of a known command, or its number. */
  public static String name(int command) {
    return switch (command) {
      case PING -> "PING";
      case SWITCHOVER_START -> "SWITCHOVER_START";
      case SYNC -> "SYNC";
      default -> Integer.toString(command);
    };
  }

  /**
   * The sequence of a SYNC.
   *
   * @throws IllegalStateException if this is not a SYNC
   */
  public long syncSequence() {
    requireCommand(SYNC);
    return data.iterator().getLong(ByteOrder.BIG_ENDIAN);
  }

  /**
   * The value of a PING.
   *
   * @throws IllegalStateException if this is not a PING
   */
  public int pingValue() {
    requireCommand(PING);
    return data.iterator().getInt(ByteOrder.BIG_ENDIAN);
  }

  private void requireCommand(int wanted) {
    if (command != wanted) {
      throw new IllegalStateException("not a " + name(wanted) + " command: " + name(command));
    }
  }

  @Override
  public String toString() {
    return switch (command) {
      case SYNC -> "Command[SYNC " + syncSequence() + "]";
      case PING -> "Command[PING " + pingValue() + "]";
      default -> "Command[" + name(command) + "]";
    };
  }
}
