import OrderCore
