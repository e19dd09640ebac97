package io.ferry.devices.model.synthetic;

/**
 * The shape of a synthetic device's state: {@code size} bytes in pages of {@code pageSize} bytes;
 * the last page holds the remainder. Computes the stream lengths of {@link SyntheticFormat}.
 */
public final class SyntheticGeometry {
  /** Smallest page size (one word). */
  public static final int MIN_PAGE_SIZE = 8;

  /** Largest page size; bounds the one-time cost of the page hash tables. */
  public static final int MAX_PAGE_SIZE = 16 << 20;

  /** Largest page count (an {@code int[]} holds one version per page). */
  public static final int MAX_PAGES = Integer.MAX_VALUE - 8;

  private final long size;
  private final int pageSize;
  private final int pageCount;
  private final int lastPageLength;

  public SyntheticGeometry(long size, int pageSize) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1 byte, got " + size);
    }
    if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || pageSize % 8 != 0) {
      throw new IllegalArgumentException(
          "page-size must be a multiple of 8 in ["
              + MIN_PAGE_SIZE
              + ", "
              + MAX_PAGE_SIZE
              + "], got "
              + pageSize);
    }
    long pages = (size + pageSize - 1) / pageSize;
    if (pages > MAX_PAGES) {
      throw new IllegalArgumentException(
          "size "
              + size
              + " with page-size "
              + pageSize
              + " gives "
              + pages
              + " pages, more than "
              + MAX_PAGES
              + "; use a larger page-size");
    }
    this.size = size;
    this.pageSize = pageSize;
    this.pageCount = (int) pages;
    this.lastPageLength = (int) (size - (pages - 1) * pageSize);
  }

  public long size() {
    return size;
  }

  public int pageSize() {
    return pageSize;
  }

  public int pageCount() {
    return pageCount;
  }

  public int lastPageLength() {
    return lastPageLength;
  }

  /** The length of page {@code p}. */
  public int pageLength(int p) {
    return p == pageCount - 1 ? lastPageLength : pageSize;
  }

  /** Stream bytes of the record carrying page {@code p}. */
  public long recordBytes(int p) {
    return SyntheticFormat.RECORD_HEADER_BYTES + pageLength(p);
  }

  /** Stream bytes of the records for pages {@code [first, pageCount)}. */
  public long recordBytesFrom(int first) {
    if (first >= pageCount) {
      return 0;
    }
    long n = pageCount - (long) first;
    return n * (SyntheticFormat.RECORD_HEADER_BYTES + pageSize) - (pageSize - lastPageLength);
  }

  /** Length of a complete stream: header, one record per page, trailer. */
  public long fullStreamLength() {
    return SyntheticFormat.HEADER_BYTES + recordBytesFrom(0) + SyntheticFormat.TRAILER_BYTES;
  }

  @Override
  public String toString() {
    return size + " B in " + pageCount + " pages of " + pageSize + " B";
  }
}
