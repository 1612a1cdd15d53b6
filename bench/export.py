"""Excel export of a place-year of deeds, timed in a process of its own so that its peak memory is the
export's: `python -m bench.export <place code> <year>` prints rows, seconds, rows/s and peak RSS."""

import os
import resource
import sys
import time


def main():
    code, year = sys.argv[1], sys.argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.test import Client
    from django.urls import resolve

    from ledger import periods, selectors
    from places.models import Place

    resolve(f"/ledger/{code}/ledger.xlsx")  # a running server has imported its views: not timed here
    place = Place.objects.get(code=code)
    rows = selectors.deeds(place, periods.year(int(year)), public=True).count()
    started = time.perf_counter()
    response = Client().get(f"/ledger/{code}/ledger.xlsx?period={year}")
    size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows={rows} seconds={seconds:.1f} rows_per_s={rows / seconds:.0f} peak_rss_mb={peak:.0f} "
          f"bytes={size}")


if __name__ == "__main__":
    main()
