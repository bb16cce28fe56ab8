-- The lehoi basemap: the OpenMapTiles profile shipped with tilemaker (process-openmaptiles.lua,
-- © KlokanTech.com & OpenMapTiles contributors, CC-BY 4.0), cut down to the layers a festival map draws:
-- transportation and transportation_name (with name, name:en and name_en), waterway, water, park, building.
-- Same layer names, classes and attributes as OpenMapTiles, so its styles apply.

function Set(list)
	local set = {}
	for _, l in ipairs(list) do set[l] = true end
	return set
end

majorRoadValues = Set { "motorway", "trunk", "primary" }
mainRoadValues  = Set { "secondary", "motorway_link", "trunk_link", "primary_link", "secondary_link" }
midRoadValues   = Set { "tertiary", "tertiary_link" }
minorRoadValues = Set { "unclassified", "residential", "road", "living_street" }
trackValues     = Set { "track" }
pathValues      = Set { "footway", "cycleway", "bridleway", "path", "steps", "pedestrian" }
linkValues      = Set { "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link" }
waterwayClasses = Set { "stream", "river", "canal", "drain", "ditch" }
parkValues      = Set { "park", "garden", "nature_reserve" }

node_keys = {}
function node_function(node)
end

function way_function(way)
	local highway  = way:Find("highway")
	local waterway = way:Find("waterway")
	local natural  = way:Find("natural")
	local leisure  = way:Find("leisure")
	local landuse  = way:Find("landuse")
	local building = way:Find("building")
	local isClosed = way:IsClosed()

	if highway ~= "" and highway ~= "proposed" then WriteRoad(way, highway) end

	if waterwayClasses[waterway] and not isClosed then
		way:Layer("waterway", false)
		way:Attribute("class", waterway)
		SetNameAttributes(way)
		SetBrunnelAttributes(way)
	end

	if natural == "water" or landuse == "reservoir" or landuse == "basin" or waterway == "riverbank" then
		way:Layer("water", true)
		way:Attribute("class", waterway ~= "" and "river" or "lake")
	end

	if parkValues[leisure] then
		way:Layer("park", true)
		way:Attribute("class", leisure)
		SetNameAttributes(way)
	end

	if building ~= "" then
		way:Layer("building", true)
		way:MinZoom(13)
	end
end

function WriteRoad(way, highway)
	local access = way:Find("access")
	if access == "private" or access == "no" then return end

	local h = highway
	local minzoom = 99
	if majorRoadValues[highway] then              minzoom = 4 end
	if highway == "trunk"       then              minzoom = 5
	elseif highway == "primary" then              minzoom = 7 end
	if mainRoadValues[highway]  then              minzoom = 9 end
	if midRoadValues[highway]   then              minzoom = 11 end
	if minorRoadValues[highway] then h = "minor"; minzoom = 12 end
	if trackValues[highway]     then h = "track"; minzoom = 14 end
	if pathValues[highway]      then h = "path" ; minzoom = 14 end
	if h == "service"           then              minzoom = 12 end

	local ramp = false
	if linkValues[highway] then
		highway = highway:match("^(.-)_link$"); h = highway
		ramp = true
		minzoom = 11
	end
	if minzoom > 14 then return end

	way:Layer("transportation", false)
	way:MinZoom(minzoom)
	way:Attribute("class", h)
	if h ~= highway then way:Attribute("subclass", highway) end
	SetBrunnelAttributes(way)
	if ramp then way:AttributeNumeric("ramp", 1) end
	local service = way:Find("service")
	if highway == "service" and service ~= "" then way:Attribute("service", service) end
	local oneway = way:Find("oneway")
	if oneway == "yes" or oneway == "1" then way:AttributeNumeric("oneway", 1) end
	if oneway == "-1" then way:AttributeNumeric("oneway", -1) end

	if not way:Holds("name") and not way:Holds("ref") then return end
	if minzoom < 8 then minzoom = 8 end
	if highway == "motorway" or highway == "trunk" then
		way:Layer("transportation_name", false)
	elseif h == "minor" or h == "track" or h == "path" or h == "service" then
		way:Layer("transportation_name_detail", false)
	else
		way:Layer("transportation_name_mid", false)
	end
	way:MinZoom(minzoom)
	SetNameAttributes(way)
	way:Attribute("class", h)
	way:Attribute("network", "road")
	if h ~= highway then way:Attribute("subclass", highway) end
	local ref = way:Find("ref")
	if ref ~= "" then
		way:Attribute("ref", ref)
		way:AttributeNumeric("ref_length", ref:len())
	end
end

-- name (the local name, Vietnamese here), name:en and name_en (the OpenMapTiles v3 spelling) when tagged, and
-- name:latin as OpenMapTiles styles expect it
function SetNameAttributes(obj)
	local name = obj:Find("name")
	if name ~= "" then
		obj:Attribute("name", name)
		obj:Attribute("name:latin", name)
	end
	local en = obj:Find("name:en")
	if en ~= "" then
		obj:Attribute("name:en", en)
		obj:Attribute("name_en", en)
	end
end

function SetBrunnelAttributes(obj)
	if     obj:Find("bridge") == "yes" then obj:Attribute("brunnel", "bridge")
	elseif obj:Find("tunnel") == "yes" then obj:Attribute("brunnel", "tunnel")
	elseif obj:Find("ford")   == "yes" then obj:Attribute("brunnel", "ford")
	end
end
