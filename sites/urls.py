from django.urls import path

from sites import desk_views, poster_views, views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("add/", views.site_create_view, name="site_create"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("<int:pk>/edit/", views.site_update_view, name="site_update"),
    # A station's desk (its operator's): stock and loans (sites/desk_views.py)
    path("<int:pk>/desk/", desk_views.desk, name="desk"),
    path("<int:pk>/desk/history/", desk_views.history, name="history"),
    path("<int:pk>/desk/stock/", desk_views.stock, name="stock"),
    path("<int:pk>/desk/lend/", desk_views.lend, name="lend"),
    path("<int:pk>/desk/lend/pick/", desk_views.borrower_pick, name="borrower_pick"),
    path("<int:pk>/desk/items/add/", desk_views.item_create_view, name="item_create"),
    path("items/<int:pk>/edit/", desk_views.item_update_view, name="item_update"),
    path("loans/<int:pk>/return/", desk_views.loan_return_view, name="loan_return"),
    path("loans/<int:pk>/lost/", desk_views.loan_lost_view, name="loan_lost"),
    path("<int:pk>/poster.pdf", poster_views.poster, name="poster"),
]
